"""How gunicorn serves the web app: `gunicorn --config python:bot.web_server ... wsgi:app`.

A sync worker serves one connection at a time: two clients sending a request
header a line every 2 s kept both web processes busy, and USSD callers waited
30 s for a screen. gevent's worker gives each connection a greenlet of its
own, so a slow or idle client costs a little memory, not a web process, and a
USSD request is answered beside hundreds of them (BENCHMARKS.md). The worker
reads every request header, and waits between requests, under the keep-alive
timeout, so a client that has not sent its header within WEB_KEEPALIVE_SECONDS
is dropped. Both `serve` and the Procfile load this file.
"""

import logging
import sys
import warnings

from .config import web_server
from .errors import InvalidSetting

worker_class = "gevent"
try:
    worker_connections, keepalive = web_server()
except InvalidSetting as refused:
    # One clear line instead of gunicorn's traceback, and the same exit as wsgi.py's.
    print(refused, file=sys.stderr)
    raise SystemExit(4) from None

# gunicorn itself imports ssl before its worker patches the standard library, so gevent warns
# on every start. The web processes make no TLS connections of their own (SMS go out from the
# RQ workers), and a warning on every start would train staff to skip the log's warnings.
warnings.filterwarnings("ignore", message="Monkey-patching ssl after ssl has already been imported")


def worker_exit(server, worker):
    """Flush and close the logs before the web process exits, then forget its handlers."""
    # Otherwise each handler, collected after gevent's modules are torn down on the way out,
    # printed an "Exception ignored" traceback (gevent issue 2148).
    logging.shutdown()
    del logging._handlerList[:]  # what logging's weakref callbacks look in; they skip an empty one
