import threading

import pytest

from agent.errors import InputError
from agent.ui.sessions import SessionStore, new_session_id, valid_session_id


@pytest.fixture
def store(tmp_path):
    s = SessionStore(tmp_path / "sessions", tmp_path / "sessions.sqlite")
    yield s
    s.close()


def test_session_ids_are_validated_before_touching_the_filesystem(store):
    assert valid_session_id(new_session_id())
    for bad in ["", "../etc", "A" * 32, "0" * 31, None, 5]:
        assert not valid_session_id(bad)
    with pytest.raises(InputError):
        store.folder("../../etc")


def test_served_folder_names_do_not_reveal_the_session_id(store):
    sid = new_session_id()
    folder = store.folder(sid)
    assert folder.parent == store.root and sid not in str(folder) and sid[:16] not in folder.name
    assert store.folder(sid) == folder  # stable, so a restart finds the images again


def test_turns_append_and_survive_a_restart(tmp_path):
    sid = new_session_id()
    s1 = SessionStore(tmp_path / "sessions", tmp_path / "db.sqlite")
    s1.append(sid, transcript=[{"role": "user", "content": "q1"}], history=[{"role": "user", "content": "q1"}],
              image_paths=["/a.png"])
    s1.append(sid, transcript=[{"role": "assistant", "content": "a1", "metadata": {"title": "t"}}],
              history=[{"role": "assistant", "content": "a1"}], gallery=[("/s.png", "step")])
    s1.close()
    s2 = SessionStore(tmp_path / "sessions", tmp_path / "db.sqlite")
    got = s2.load(sid)
    assert [m["content"] for m in got.transcript] == ["q1", "a1"]
    assert got.transcript[1]["metadata"] == {"title": "t"}
    assert got.history == [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}]
    assert got.image_paths == ["/a.png"] and got.gallery == [["/s.png", "step"]]
    s2.append(sid, image_paths=["/b.png"])  # a new upload replaces the images follow-ups use
    assert s2.load(sid).image_paths == ["/b.png"]
    s2.close()


def test_sessions_are_isolated(store):
    a, b = new_session_id(), new_session_id()
    store.append(a, transcript=[{"role": "user", "content": "from a"}], image_paths=["/a.png"])
    assert store.load(b).transcript == [] and store.load(b).image_paths == []
    assert store.folder(a) != store.folder(b)


def test_concurrent_appends_to_one_session_are_all_kept(store):
    sid = new_session_id()

    def work(i):
        store.append(sid, history=[{"role": "user", "content": str(i)}])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(int(m["content"]) for m in store.load(sid).history) == list(range(10))


def test_database_must_not_be_inside_the_served_folder(tmp_path):
    with pytest.raises(InputError):
        SessionStore(tmp_path / "s", tmp_path / "s" / "db.sqlite")
