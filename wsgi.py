"""The web app for gunicorn: `gunicorn wsgi:app`."""

import gc
import sys

from bot import create_app
from bot.errors import InvalidSetting

try:
    app = create_app()
except InvalidSetting as refused:
    # One clear line instead of a traceback; gunicorn stops on exit code 4 (the app cannot
    # load) rather than restarting the worker for ever.
    print(refused, file=sys.stderr)
    raise SystemExit(4) from None
# Everything loaded so far (flows, texts, libraries) lives as long as the process: leave it
# out of the garbage collector's full passes, which walked all of it in 50 ms pauses.
gc.freeze()
