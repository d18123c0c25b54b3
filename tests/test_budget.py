"""Budget names: one hash and one environment variable for the client and the Redis scheduler."""

import pytest

from skilljar_async._budget import API_KEY_ENV, budget_hash, organization_hash


def test_shared_budget_hash_is_stable() -> None:
    """The default scope's hash is pinned: budgets already in Redis keep their keys."""
    assert budget_hash("sk-test") == "62b58a493299380f5a77c1a02bdb8d28"


def test_scopes_name_different_budgets() -> None:
    """The same key under another scope (a base URL) is another budget; no key is shown."""
    scoped = budget_hash("sk-test", "https://api.skilljar.com/v1")
    assert scoped == "dcfe5a798a07cf13929262164fc4a001"
    assert scoped != budget_hash("sk-test")
    assert "sk-test" not in scoped


def test_redis_scheduler_names_its_budget_by_the_shared_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`RedisScheduler` hashes api_key=, or the key in API_KEY_ENV, with `budget_hash`."""
    pytest.importorskip("redis.asyncio")
    from skilljar_async.ratelimit import RedisScheduler

    url = "redis://127.0.0.1:1/0"  # never connected to: nothing is awaited
    assert RedisScheduler(url, api_key="sk-test").key_hash == budget_hash("sk-test")
    monkeypatch.setenv(API_KEY_ENV, "sk-env")
    assert RedisScheduler(url).key_hash == budget_hash("sk-env")
    monkeypatch.delenv(API_KEY_ENV)
    with pytest.raises(ValueError, match=API_KEY_ENV):
        RedisScheduler(url)


def test_organization_hash_is_stable_and_apart_from_keys() -> None:
    """An organization's budget name is stable, scoped, and never a key's."""
    assert organization_hash("acme") == organization_hash("acme")
    assert organization_hash("acme") != budget_hash("acme")
    assert organization_hash("acme") != organization_hash("acme", "https://api.skilljar.com/v1")
    assert organization_hash("acme") != organization_hash("acme2")
    with pytest.raises(ValueError, match="organization"):
        organization_hash("")


def test_redis_scheduler_names_an_organizations_budget() -> None:
    """`RedisScheduler(organization=)` uses the organization's hash, whatever the key."""
    pytest.importorskip("redis.asyncio")
    from skilljar_async.ratelimit import RedisScheduler

    url = "redis://127.0.0.1:1/0"  # never connected to: nothing is awaited
    a = RedisScheduler(url, api_key="sk-1", organization="acme")
    b = RedisScheduler(url, api_key="sk-2", organization="acme")
    assert a.key_hash == b.key_hash == organization_hash("acme")
    assert "acme" not in repr(a)
    with pytest.raises(ValueError, match="key_hash"):
        RedisScheduler(url, key_hash="h", organization="acme")
