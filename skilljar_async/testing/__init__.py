"""A local Skilljar API v1 emulator (aiohttp) for tests and benchmarks.

    async with SkilljarEmulator(users=1000, limits=RateLimits.skilljar()) as emu:
        ...  # point a client at emu.base_url with emu.api_key (HTTP Basic, "key:")

It serves all 340 operations of the spec from an in-memory store (`Store`, one
`Table` per collection), with Skilljar's auth, error bodies, list shapes,
per-call-type sliding-window throttling and optional injected faults.
``python -m skilljar_async.testing`` runs one from the command line; the
``skilljar_emulator`` pytest fixture yields a started one.

Where the real API's behaviour is unknown, the emulator chooses:

- Order of checks (DRF's): unknown path -> 404 with nothing else; then auth (401)
  and permission (403) -> never throttled, never counted, never faulted; then
  faults; then the throttle; then the view (405, 400, 404, success).
- Every routed response carries ``X-Emulator-Route: <operation_id>`` (the path
  template on a 405); unrouted 404s and injected 502s do not.
- Natural-idempotency hits (enrollments per user + ``enrolled_at``, domain users
  per e-mail, association links) answer the spec's status (201) with the
  existing object and ``X-Emulator-Existing: true``.
- PUT and PATCH are both partial updates; only creates check required fields.
- An injected error (``error_rate``) is a proxy answering before the API: not
  counted. ``drop_before`` is not counted either; ``drop_after`` ran and counted.
  With ``drop_phase="both"`` drops alternate before/after, starting with before.
- ``latency`` is a round trip: half before the request reaches the API (where the
  limiter stamps it, `RecordedRequest.at`), half on the way back.
- Bulk domain-user creation answers 200 ``{"detail": ..., "count": n}`` and is
  queued, like asset and web-package processing (`SkilljarEmulator.finish_processing`);
  the webhook ping never sends anything.
- Request bodies are validated with DRF's semantics and the served
  ``/openapi.json`` is the spec with the errata of ``_errata.py`` applied.
- A trailing slash is tolerated; integer path ids must look like integers.
"""

from ._app import RecordedRequest as RecordedRequest
from ._emulator import ForeignConsumer as ForeignConsumer
from ._emulator import SkilljarEmulator as SkilljarEmulator
from ._mock import MockTransport as MockTransport
from ._store import Store as Store
from ._store import Table as Table

__all__ = [
    "ForeignConsumer",
    "MockTransport",
    "RecordedRequest",
    "SkilljarEmulator",
    "Store",
    "Table",
]
