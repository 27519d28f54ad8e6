"""The bounded cache behind the verifier's caches and the gateway's rate-limit buckets: when full, the
least recently used entry goes, one at a time, never everyone's state at once."""

import pytest

from printbridge_shared.lru import LruCache


def test_a_full_cache_forgets_only_the_least_recently_used_entry():
    cache: LruCache[str, int] = LruCache(2)
    cache.put("old", 1)
    cache.put("used", 2)
    assert cache.get("old") == 1  # now the most recently used
    cache.put("new", 3)
    assert (cache.get("old"), cache.get("used"), cache.get("new")) == (1, None, 3)
    assert len(cache) == 2


def test_putting_a_known_key_again_replaces_its_value_and_keeps_the_others():
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    assert (cache.get("a"), cache.get("b"), len(cache)) == (10, 2, 2)


def test_discard_where_removes_exactly_the_entries_that_match():
    cache: LruCache[str, int] = LruCache(10)
    for key, value in {"a": 1, "b": 2, "c": 3}.items():
        cache.put(key, value)
    cache.discard_where(lambda value: value % 2 == 1)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (None, 2, None, 1)


def test_a_cache_without_room_is_refused():
    with pytest.raises(ValueError, match="max_entries must be positive"):
        LruCache(0)
