import threading

from tools.cache import ToolCache


def test_lru_and_counts():
    cache = ToolCache(max_items=2)
    calls = []
    for key in ("a", "b", "a", "c", "b"):
        cache.get_or_compute(key, lambda k=key: calls.append(k) or k.upper())
    assert calls == ["a", "b", "c", "b"]  # 'b' was evicted by 'c' ('a' was used more recently)
    assert cache.hits == 1 and len(cache) == 2


def test_disk_roundtrip_is_atomic(tmp_path):
    key = ToolCache.key("digest", "OCR", ())
    ToolCache(disk_dir=tmp_path).put(key, {"text": "hello"})
    assert not list(tmp_path.rglob("*.tmp"))
    fresh = ToolCache(disk_dir=tmp_path)
    assert fresh.get(key) == {"text": "hello"} and fresh.hits == 1
    (next(tmp_path.rglob("*.pkl"))).write_bytes(b"garbage")
    assert ToolCache(disk_dir=tmp_path).get(key, "miss") == "miss"


def test_keys_differ_by_tool_and_args():
    assert ToolCache.key("d", "LOC", ("bus",)) != ToolCache.key("d", "LOC", ("car",))
    assert ToolCache.key("d", "LOC", ()) != ToolCache.key("d", "OCR", ())


def test_threads_share_one_cache():
    cache = ToolCache()
    threads = [threading.Thread(target=lambda i=i: cache.put(str(i % 5), i)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 5
