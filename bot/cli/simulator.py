"""`flask --app wsgi ussd`: try the USSD menus in a terminal, playing AT's part.

Like AT it keeps the `*`-joined history, sends one POST per screen to the app
(in this process, or a running server with --url) and prints each screen.
"""

import secrets
import urllib.error
import urllib.parse
import urllib.request
import uuid

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import store
from ..store import contacts, ussd_sessions

REDIAL = "redial"  # an input that hangs up and dials again (to try resuming)
SERVICE_CODE = "*384*123#"  # sent when USSD_CODE is unset; the bot does not depend on it
TRY_NUMBERS = "+25471299"  # --new-caller's numbers when no test numbers are set (production)


@click.command("ussd")
@with_appcontext
@click.option("--phone", default="+254700000001", show_default=True,
              help="Caller's number (a test number by default: TEST_PHONE_PREFIXES).")
@click.option("--new-caller", is_flag=True,
              help="Dial as a number the bot has never met (the same screens every run).")
@click.option("--code", default="", help="USSD service code [default: USSD_CODE or *384*123#].")
@click.option("--url", default="", help="Send to a running server (e.g. http://127.0.0.1:5000).")
@click.argument("inputs", nargs=-1)
def ussd(phone, new_caller, code, url, inputs):
    """Dial the bot and answer with INPUTS, or type answers when none are given.

    Type 'redial' to hang up and dial again, or 'q' to quit. A number keeps what it
    chose (its language, a session to resume): --new-caller starts afresh each time.
    """
    if not url and current_app.extensions["content_state"]["content"] is None:
        raise click.ClickException("The flows have problems. See them with: "
                                   "flask --app wsgi flows check")
    if new_caller:
        phone = unknown_number()
        click.echo(f"Dialling as a new caller, {phone}.")
    code = code or current_app.config.get("USSD_CODE") or SERVICE_CODE
    send = _remote(url) if url else _local()
    dial = Dial(phone, code, send)
    click.echo(dial.step(None))
    scripted = list(inputs)
    while True:
        if scripted:
            answer = scripted.pop(0)
            click.echo(f"> {answer}")
        elif inputs:
            return
        else:
            answer = click.prompt(">", default="", show_default=False, prompt_suffix=" ")
            if answer.strip().lower() == "q":
                return
        if dial.ended and answer != REDIAL:
            click.echo("(session ended; type 'redial' to dial again)")
            continue
        click.echo(dial.step(None if answer == REDIAL else answer))


class Dial:
    """One caller's side of the conversation, as AT would send it."""

    def __init__(self, phone, code, send):
        self.phone, self.code, self.send = phone, code, send
        self.session_id, self.inputs, self.ended = "", [], True

    def step(self, answer):
        """Send a new dial (answer None) or one more answer; return the screen."""
        if answer is None:
            self.session_id, self.inputs = f"SIM{uuid.uuid4().hex[:16]}", []
        else:
            self.inputs.append(answer)
        reply = self.send({"sessionId": self.session_id, "serviceCode": self.code,
                           "phoneNumber": self.phone, "networkCode": "63902",
                           "text": "*".join(self.inputs)})
        self.ended = not reply.startswith("CON ")
        return f"\n{reply}\n" + ("-- session ended --" if self.ended else "")


def unknown_number():
    """A test number with no contact and no USSD session in the bot's store.

    Test numbers (TEST_PHONE_PREFIXES) keep the tries out of follow-ups and figures. When
    every one tried is in use, one of them is forgotten first: only test numbers ever are.
    """
    from ..console.simulator_view import number_length
    from ..store.forget import forget

    config = current_app.config
    length = number_length(config["PHONE_REGION"])
    prefixes = [p for p in config.get("TEST_PHONE_PREFIXES") or () if len(p) < length]
    db = store.redis()
    for _ in range(50):
        prefix = secrets.choice(prefixes) if prefixes else TRY_NUMBERS
        phone = prefix + "".join(str(secrets.randbelow(10)) for _ in range(length - len(prefix)))
        if not db.exists(contacts.key(phone), ussd_sessions.key(phone)):
            return phone
    if not prefixes:
        raise click.ClickException("No unused number was found; pass one with --phone.")
    forget(db, phone)
    return phone


def _local():
    client = current_app.test_client()
    token = current_app.config.get("WEBHOOK_TOKEN") or ""

    def send(form):
        answer = client.post("/ussd", data=form, query_string={"token": token} if token else None)
        return answer.get_data(as_text=True)

    return send


def _remote(url):
    token = current_app.config.get("WEBHOOK_TOKEN") or ""
    target = url.rstrip("/") + "/ussd" + (f"?token={urllib.parse.quote(token)}" if token else "")

    def send(form):
        body = urllib.parse.urlencode(form).encode()
        try:
            with urllib.request.urlopen(target, data=body, timeout=15) as answer:
                return answer.read().decode()
        except urllib.error.HTTPError as err:
            return f"HTTP {err.code}: {err.read().decode()}"
        except urllib.error.URLError as err:
            raise click.ClickException(f"Could not reach {url}: {err.reason}") from None

    return send
