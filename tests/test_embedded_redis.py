"""The embedded Redis: started once per folder, shared by every process, restartable."""

import subprocess
import sys

from bot.store import embedded


def test_one_server_per_folder_shared_across_processes(tmp_path):
    url = embedded.ensure_server(tmp_path)
    try:
        assert embedded.ensure_server(tmp_path) == url
        code = ("import redis, sys; r = redis.Redis.from_url(sys.argv[1]); r.set('shared', 'yes');"
                "from bot.store import embedded; print(embedded.ensure_server(sys.argv[2]))")
        other = subprocess.run([sys.executable, "-c", code, url, str(tmp_path)],
                               capture_output=True, text=True, check=True)
        assert other.stdout.strip() == url
        import redis

        assert redis.Redis.from_url(url).get("shared") == b"yes"
    finally:
        embedded.stop_server(tmp_path)


def test_data_survives_a_restart(tmp_path):
    import redis

    url = embedded.ensure_server(tmp_path)
    client = redis.Redis.from_url(url)
    client.set("kept", "1")
    client.close()
    embedded.stop_server(tmp_path)
    url = embedded.ensure_server(tmp_path)
    try:
        client = redis.Redis.from_url(url)
        assert client.get("kept") == b"1"
        client.close()
    finally:
        embedded.stop_server(tmp_path)


def test_a_deep_folder_gets_a_short_socket_path(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    assert len(str(embedded.socket_path(deep))) <= 100
    assert embedded.socket_path(deep) == embedded.socket_path(deep)
