"""The web app for gunicorn: `gunicorn wsgi:app`."""

import gc
import sys

from bot import create_app
from bot.channels.sms import handlers
from bot.errors import InvalidSetting
from bot.sms import spool

try:
    app = create_app()
except InvalidSetting as refused:
    # One clear line instead of a traceback; gunicorn stops on exit code 4 (the app cannot
    # load) rather than restarting the worker for ever.
    print(refused, file=sys.stderr)
    raise SystemExit(4) from None
# SMS callbacks kept while Redis was away are replayed in the background once it is back.
spool.start_replaying(app, handlers)
# Everything loaded so far (flows, texts, libraries) lives as long as the process: leave it
# out of the garbage collector's full passes, which walked all of it in 50 ms pauses.
gc.freeze()
