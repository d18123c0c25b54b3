"""The ``skilljar-async`` command line: ping, bulk enroll, add domain users, export, budget.

The API key is read from an environment variable (``--api-key-env``, default
``SKILLJAR_API_KEY``), never from an argument, so it never shows up in ``ps``.
Exit codes: 0 done, 1 some items failed, 2 bad input / key / network, 130 interrupted.
"""

from ._main import main as main

__all__ = ["main"]
