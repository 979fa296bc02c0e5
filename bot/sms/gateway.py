"""One way to send SMS, two ways to deliver them: Africa's Talking or the console.

`gateway_for(config)` picks Africa's Talking when AT_USERNAME and AT_API_KEY are
set, else the console gateway, which prints each SMS and keeps it in an outbox
in Redis so the simulator and tests can read it. Both take a text and a list of
E.164 numbers and return one `Delivery` per number; a failure of the whole
request raises `GatewayError`, which says whether trying again can help, and whether AT
may have taken the request all the same (its answer was lost on the way).
"""

import json
import uuid
from dataclasses import dataclass

import requests
from africastalking.SMS import SMSService
from urllib3.exceptions import NewConnectionError

from ..errors import BotError
from ..privacy import mask_phone

SENT_CODES = {100, 101, 102}  # Processed, Sent, Queued
RETRY_CODES = {500, 501, 502}  # InternalServerError, GatewayError, RejectedByGateway
OUTBOX = "sms:outbox"  # the console gateway's messages, newest first


@dataclass
class Delivery:
    """What AT said about one recipient of one request."""

    phone: str
    status: str  # AT's word: Success, InvalidPhoneNumber, ...
    code: int
    message_id: str
    cost: str = ""

    @property
    def sent(self):
        return self.code in SENT_CODES

    @property
    def retryable(self):
        return self.code in RETRY_CODES


class GatewayError(BotError):
    """The whole request failed; `retryable` says whether trying again can help.

    `maybe_sent`: the request went, and AT may have taken it before its answer was lost (a
    read time-out, a connection dropped after the request was written, an answer we could not
    read). Sending it again could send it twice. Otherwise AT certainly did not take it: it
    answered with an error (429, 5xx, 401), or no connection was ever made.
    """

    def __init__(self, message, retryable, maybe_sent=False):
        super().__init__(message)
        self.retryable, self.maybe_sent = retryable, maybe_sent


class _HTTPFailure(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}")
        self.status, self.body = status, body


class _SMSService(SMSService):
    """The official SDK's SMS service, aimed at AT_API_URL and keeping HTTP status codes.

    The SDK's own transport drops the status code, yet it decides what to do:
    429 and 5xx are worth retrying, 401 (bad credentials) never is. It also
    opens a new connection per request; a pooled session keeps one open for
    bulk sends. Everything else (checks, fields, headers, URL) is the SDK's.
    """

    def __init__(self, username, api_key, base_url, session):
        self._base_override, self._session = base_url, session
        super().__init__(username, api_key)

    def _init_service(self):
        super()._init_service()
        if self._base_override:
            self._baseUrl = self._base_override.rstrip("/")
        _read_environment_once(self._session, self._make_url("/messaging"))

    def _make_request(self, url, method, headers, data, params, callback=None, timeout=None):
        answer = self._session.request(method, url, headers=headers, data=data, params=params,
                                       timeout=timeout)
        if not 200 <= answer.status_code < 300:
            raise _HTTPFailure(answer.status_code, answer.text[:200])
        if answer.headers.get("content-type", "").startswith("application/json"):
            return answer.json()
        return answer.text


def _read_environment_once(session, url):
    """Take the proxy and CA-bundle settings from the environment now, not at every request.

    requests reads them (and ~/.netrc) again for each request, which cost about a
    fifth of the CPU of a bulk request in the dispatch benchmark.
    """
    found = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies.update(found["proxies"])
    session.verify, session.cert = found["verify"], found["cert"]
    session.trust_env = False


class AfricasTalkingGateway:
    name = "africastalking"

    def __init__(self, username, api_key, sender_id="", api_url="", timeout=(3.05, 9.05)):
        self.sender_id, self.timeout = sender_id or None, timeout
        self._service = _SMSService(username, api_key, api_url, requests.Session())

    def send(self, text, phones):
        try:
            answer = self._service.send(text, list(phones), sender_id=self.sender_id,
                                        timeout=self.timeout)
        except _HTTPFailure as err:
            if err.status == 401:
                raise GatewayError("Africa's Talking refused the username or API key (401); "
                                   "check AT_USERNAME and AT_API_KEY.", retryable=False) from None
            retry = err.status == 429 or err.status >= 500
            raise GatewayError(f"Africa's Talking answered HTTP {err.status}.", retry) from None
        except (requests.Timeout, requests.ConnectionError) as err:
            raise GatewayError(f"Africa's Talking did not answer ({type(err).__name__}).",
                               retryable=True, maybe_sent=not _never_reached(err)) from None
        return _read_report(answer, phones)


def _never_reached(err):
    """Whether the request certainly never reached AT: no connection was made (refused, no
    such host, or the connection itself timed out). A read time-out, or a connection reset
    once the request was written, may come after AT took it."""
    if isinstance(err, requests.ConnectTimeout):
        return True
    reason = getattr(err.args[0], "reason", None) if err.args else None
    return isinstance(reason, NewConnectionError)


def _read_report(answer, phones):
    """Read AT's per-recipient report; a 2xx does not mean every recipient got it."""
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError:
            raise GatewayError("Africa's Talking answered something unreadable.", True,
                               maybe_sent=True) from None
    try:
        reports = answer["SMSMessageData"]["Recipients"]
    except (KeyError, TypeError):
        raise GatewayError("Africa's Talking's answer had no recipients.", True,
                           maybe_sent=True) from None
    by_number = {str(r.get("number")): r for r in reports if isinstance(r, dict)}
    found = []
    for phone in phones:
        report = by_number.get(phone)
        if report is None:  # AT did not mention this number: try again later
            found.append(Delivery(phone, "NotReported", 500, ""))
            continue
        code = int(report.get("statusCode") or 0)
        message_id = str(report.get("messageId") or "")
        found.append(Delivery(phone, str(report.get("status") or "Unknown"), code,
                              "" if message_id == "None" else message_id,
                              str(report.get("cost") or "")))
    return found


class ConsoleGateway:
    """Prints each SMS (for a developer's terminal) and keeps it in the Redis outbox."""

    name = "console"

    def __init__(self, redis, echo=print):
        self.redis, self.echo = redis, echo

    def send(self, text, phones):
        found, pipe = [], self.redis.pipeline(transaction=False)
        for phone in phones:
            message_id = f"console-{uuid.uuid4().hex[:16]}"
            pipe.lpush(OUTBOX, json.dumps({"id": message_id, "to": phone, "text": text}))
            found.append(Delivery(phone, "Success", 101, message_id, "KES 0.0000"))
            self.echo(f"SMS to {mask_phone(phone)}: {text}")
        pipe.ltrim(OUTBOX, 0, 999)
        pipe.execute()
        return found


def gateway_for(config, redis):
    """Return the gateway the settings ask for."""
    if config.get("AT_USERNAME") and config.get("AT_API_KEY"):
        return AfricasTalkingGateway(config["AT_USERNAME"], config["AT_API_KEY"],
                                     config.get("AT_SENDER_ID", ""), config.get("AT_API_URL", ""))
    return ConsoleGateway(redis)
