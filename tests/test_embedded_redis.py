"""The embedded Redis: started once per folder, shared by every process, restartable."""

import os
import signal
import subprocess
import sys
import time

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


def test_each_write_is_on_disk_before_the_server_answers(tmp_path):
    """Syncing once a second lost acknowledged writes when the server was killed on a busy disk."""
    import redis

    url = embedded.ensure_server(tmp_path)
    try:
        client = redis.Redis.from_url(url, decode_responses=True)
        assert client.config_get("appendfsync") == {"appendfsync": "always"}
        client.close()
    finally:
        embedded.stop_server(tmp_path)


def test_running_means_its_process_not_only_its_socket(tmp_path):
    embedded.ensure_server(tmp_path)
    assert embedded.running(tmp_path)
    os.kill(int((tmp_path / "redis.pid").read_text()), signal.SIGKILL)
    deadline = time.monotonic() + 5
    while embedded.running(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not embedded.running(tmp_path)  # even as a zombie nobody reaps
    embedded.ensure_server(tmp_path)  # started again on the same folder
    try:
        assert embedded.running(tmp_path)
    finally:
        embedded.stop_server(tmp_path)
    assert not embedded.running(tmp_path)  # stopped cleanly: no pid file, no answer
