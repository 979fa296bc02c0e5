"""The web app for gunicorn: `gunicorn wsgi:app`."""

import gc

from bot import create_app

app = create_app()
# Everything loaded so far (flows, texts, libraries) lives as long as the process: leave it
# out of the garbage collector's full passes, which walked all of it in 50 ms pauses.
gc.freeze()
