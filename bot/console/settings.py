"""The console's login cookie: signed with SECRET_KEY, kept to /console, never read by scripts."""

import logging
import secrets

from flask.sessions import SecureCookieSessionInterface

log = logging.getLogger(__name__)
GENERATED = "console_key_generated"  # app.extensions flag: the key was made up for this process


def apply(app):
    """Set the session cookie's rules; make a random SECRET_KEY when none is set."""
    if not app.config.get("SECRET_KEY"):
        # Secrets come only from the environment. Without one the console still works on one
        # process, with a key nobody knows; logins end when the process stops.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.extensions[GENERATED] = True
    app.session_interface = ConsoleOnlySessions()
    app.config.update(
        SESSION_COOKIE_NAME="mm_console",
        SESSION_COOKIE_PATH="/console",  # webhooks never receive it
        SESSION_COOKIE_HTTPONLY=True,  # page scripts cannot read it
        SESSION_COOKIE_SAMESITE="Lax",  # other sites cannot post with it
    )


def warn_once(app):
    """Log once per process that the key was made up."""
    # Called on the first console request, not at start: staff commands serve no console.
    if app.extensions.get(GENERATED) is True:
        app.extensions[GENERATED] = "said"
        log.warning("SECRET_KEY is not set: console logins are signed with a random key made for "
                    "this process. They end when it stops and are not known to other web processes "
                    "(flask serve runs 2). Set SECRET_KEY in the environment.")


class ConsoleOnlySessions(SecureCookieSessionInterface):
    """Open the signed session only for the console's own pages.

    Webhooks never carry the cookie, yet Flask would build a signer (deriving keys with
    HMAC) on every request; on the USSD path that is time a caller waits for nothing.
    """

    def open_session(self, app, request):
        if not request.path.startswith(app.config["SESSION_COOKIE_PATH"]):
            return self.make_null_session(app)
        return super().open_session(app, request)
