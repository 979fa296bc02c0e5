"""Settings: defaults here, overridden by the environment, secrets only from it.

Every variable read here is documented in the README.
"""

import ipaddress
import os
import re
from pathlib import Path

from . import config_rules, phones, test_numbers
from .content.texts import DEFAULT_PROGRAMME_NAME
from .errors import InvalidSetting, InvalidSettings
from .privacy import mask_phone

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "REDIS_URL": "",  # empty: start an embedded Redis under the instance folder
    # Redis behind Sentinel (host:port, comma-separated) for failover; REDIS_URL then gives only
    # the database number and password.
    "REDIS_SENTINELS": "",
    "REDIS_SENTINEL_MASTER": "mymaster",
    # Where SMS callbacks wait while Redis is away; a folder every node shares lets any node or
    # worker replay them. Empty: the instance folder's spool/.
    "SPOOL_DIR": "",
    "INSTANCE_PATH": "",  # the instance folder (embedded Redis, SMS spool); empty: instance/ here
    "REDIS_TIMEOUT": 0.3,  # seconds, tried twice (a restarted Redis drops old connections);
    # /ussd must answer within 1 s even when Redis hangs
    "WEBHOOK_TOKEN": "",  # when set, every Africa's Talking callback needs ?token=<value>
    # production (the Procfile sets it) refuses to start without WEBHOOK_TOKEN; development
    # (serve, tests) runs without one, and `serve` makes one for its run.
    "BOT_ENV": "development",
    # Comma-separated networks (CIDR) that may call the webhooks; empty: any address (with the token).
    "WEBHOOK_ALLOW": "",
    "BOT_TIMEZONE": "Africa/Nairobi",
    "DEFAULT_LANGUAGE": "en",
    "PHONE_REGION": "KE",  # how to read numbers written without a country code
    "RESUME_MINUTES": 5,  # a dropped USSD session can be continued within this time
    "ENROL_RESUME_HOURS": 24,  # ... and an enrolment cut off midway within this time
    "FLOWS_DIR": str(ROOT / "flows"),
    "LOCALES_DIR": str(ROOT / "locales"),
    "AT_USERNAME": "",  # Africa's Talking account; with AT_API_KEY, SMS go through AT
    "AT_API_KEY": "",
    "AT_SENDER_ID": "",  # the shortcode or sender name SMS come from, if the account has one
    "AT_API_URL": "",  # another API base URL (a local or test gateway) instead of AT's own
    "SMS_BATCH_SIZE": 500,  # recipients in one bulk request for the same text
    "SMS_REPLIES_PER_HOUR": 5,  # automatic replies to one number; stops two bots looping
    # Texts from one number kept in her follow-up each day; more are counted, not kept (a danger
    # sign is always kept). One number texting on and on cannot bury the others' follow-ups.
    "FOLLOWUP_TEXTS_PER_DAY": 20,
    "FOLLOWUP_KEEP_DAYS": 365,  # a closed follow-up is deleted this long after it was closed
    # Hours within which a Mentor Mother should call, by kind of follow-up; later, it is overdue.
    "FOLLOWUP_DUE_URGENT_HOURS": 2,
    "FOLLOWUP_DUE_CALLBACK_HOURS": 48,
    "FOLLOWUP_DUE_MISSED_VISIT_HOURS": 72,
    # A visit this long past is deleted (bot/retention). The clinic's register is her record of
    # care; the bot keeps visits for reminders, missed-visit follow-ups and half a year of history
    # on her page. Each month kept costs memory at national scale (BENCHMARKS.md).
    "VISIT_KEEP_DAYS": 180,
    # What Mentor Mothers recorded for a mother (home visits, calls, visits marked) is kept this
    # long after the last entry (bot/store/mentor_actions.py); older entries go in the nightly sweep.
    "MENTOR_ACTIONS_KEEP_DAYS": 730,
    # How long the record of one SMS sent (its status, cost, time) is kept: late delivery
    # reports and staff questions come within weeks; each day kept costs memory at national
    # scale (BENCHMARKS.md). Daily totals are kept 400 days whatever this is.
    "MESSAGE_KEEP_DAYS": 28,
    # A caller who only chose a language, and never enrolled, is forgotten after this long.
    "UNENROLLED_KEEP_DAYS": 90,
    "SMS_RETRY_SECONDS": [10, 30, 60, 300, 900],  # waits before each new try after AT 5xx/429
    # Failed deliveries in a row (about her phone) after which SMS to her pause and a Mentor
    # Mother is asked to check her number (bot/optout/undeliverable.py).
    "SMS_UNDELIVERABLE_AFTER": 5,
    "SEND_FROM": "08:00",  # SMS the bot sends on its own go out only in this window
    "SEND_UNTIL": "18:00",  # (Safaricom bulk SMS rules; programme time zone)
    "REMINDER_DAY_BEFORE_AT": "10:00",  # the reminder the day before a visit
    "REMINDER_MORNING_AT": "08:00",  # the reminder on the morning of a visit
    "STAGE_MESSAGE_WEEKDAY": 1,  # the weekly message goes out on this day (0 = Monday)
    "STAGE_MESSAGE_AT": "10:00",
    "MISSED_VISIT_AFTER_DAYS": 2,  # a visit not marked attended by then counts as missed
    # The county of the programme's clinics: vaccines given only in some counties (the malaria
    # vaccine, flows/schedules/) are suggested only there. A contact's own 'county' wins.
    "PROGRAMME_COUNTY": "",
    "DISPATCH_EVERY_MINUTES": 5,  # how often the worker looks for reminders due
    "DISPATCH_JOBS": 2,  # a dispatch is split into this many jobs, sent at once by as many workers
    # A dispatch job is stopped after this long (RQ's own limit, 3 minutes, stopped a national
    # send in the middle of a request to AT): a national send plus a wide margin for a slow AT.
    "DISPATCH_JOB_TIMEOUT_MINUTES": 60,
    # A bulk request AT may have taken without answering (its answer timed out, the worker died
    # during it) waits this long for a delivery report before it is settled (bot/sms/requests_log.py).
    "SMS_UNCONFIRMED_MINUTES": 60,
    "LOG_LEVEL": "INFO",
    "LOG_FORMAT": "text",  # json: every log line one JSON object, for a log collector
    # /metrics needs this as a Bearer token; when empty, only requests from the machine itself
    "METRICS_TOKEN": "",
    # The web server (bot/web_server.py): connections one web process holds, slow or idle ones
    # included, and seconds a client has for a request's header, or may sit idle, before it is dropped.
    "WEB_CONNECTIONS": 1000,
    "WEB_KEEPALIVE_SECONDS": 5,
    "CONTENT_RELOAD_SECONDS": 3,  # how often to look for a newly published version; 0: only once
    "MAX_CONTENT_LENGTH": 64 * 1024,  # AT callbacks are small; refuse floods early
    # The staff console (/console). SECRET_KEY signs its login cookie: set it in the environment;
    # when unset, each process makes a random one (see bot/console/settings.py).
    "SECRET_KEY": "",
    "SESSION_COOKIE_SECURE": True,  # the login cookie travels over https only; 0 for plain http
    "CONSOLE_SESSION_HOURS": 12,  # a console login lasts this long, then asks again
    # The clinic API (/api): requests a minute for each token; 0 or less: no limit.
    "API_REQUESTS_PER_MINUTE": 600,
    # On-duty Mentor Mothers told by SMS of each urgent follow-up (a danger sign): comma-separated.
    "URGENT_ALERT_PHONES": "",
    # Test phones staff try the bot with (the console's simulator takes only these): numbers or the
    # start they share, comma-separated. Their traffic makes no real follow-up and counts in no
    # figure (bot/test_numbers.py). Unset: +2547000000 in development, none in production.
    "TEST_PHONE_PREFIXES": "",
    # The programme's name in SMS, filled into %{programme}: neutral, since a shared phone's SMS
    # can be read by others (bot/content/texts.py says why this default).
    "PROGRAMME_NAME_IN_SMS": DEFAULT_PROGRAMME_NAME,
    # The USSD code mothers dial (*384*123#), filled into %{ussd_code} in SMS that tell her to
    # dial it; empty: those SMS say "our USSD code" in her language.
    "USSD_CODE": "",
}

ENVIRONMENTS = ("development", "production")
_NUMBERS = {"REDIS_TIMEOUT": float, "RESUME_MINUTES": float, "ENROL_RESUME_HOURS": float,
            "CONTENT_RELOAD_SECONDS": float, "CONSOLE_SESSION_HOURS": float,
            "DISPATCH_JOB_TIMEOUT_MINUTES": float, "SMS_UNCONFIRMED_MINUTES": float}


def check(settings):
    """Read the settings that must be right before the bot starts.

    Every problem is found before any is reported, and raised together (InvalidSettings,
    one line each): whoever deploys fixes them all in one go, not one per restart.
    """
    problems = []
    for name, rule in _rules():
        try:
            found = rule(settings)
        except InvalidSetting as err:
            problems += getattr(err, "problems", [err])
            continue
        if name:
            settings[name] = found
    if problems:
        raise problems[0] if len(problems) == 1 else InvalidSettings(problems)


def _rules():
    """(setting to store the result in, or None; the rule), in the order they must run."""
    rules = [("BOT_ENV", environment), (None, _webhook_token_needed), (None, _production_needs),
             ("REDIS_URL", lambda s: config_rules.redis_url(s["REDIS_URL"])),
             ("REDIS_SENTINELS", lambda s: config_rules.sentinels(s["REDIS_SENTINELS"])),
             ("BOT_TIMEZONE", lambda s: config_rules.timezone(s["BOT_TIMEZONE"])),
             ("PHONE_REGION", lambda s: config_rules.phone_region(s["PHONE_REGION"])),
             ("TEST_PHONE_PREFIXES", lambda s: test_numbers.read(
                 s["TEST_PHONE_PREFIXES"], s["PHONE_REGION"], s["BOT_ENV"])),
             ("LOG_FORMAT", lambda s: log_format(s["LOG_FORMAT"])),
             ("WEBHOOK_ALLOW", lambda s: allowed_networks(s["WEBHOOK_ALLOW"])),
             ("URGENT_ALERT_PHONES", lambda s: alert_phones(s["URGENT_ALERT_PHONES"],
                                                            s["PHONE_REGION"])),
             ("PROGRAMME_NAME_IN_SMS", lambda s: programme_name(s["PROGRAMME_NAME_IN_SMS"])),
             ("USSD_CODE", lambda s: ussd_code(s["USSD_CODE"]))]
    rules += [(name, lambda s, n=name: config_rules.clock(n, s[n])) for name in config_rules.CLOCKS]
    rules += [(name, lambda s, n=name: config_rules.number_in_range(n, s[n]))
              for name in config_rules.RANGES]
    return rules


def _production_needs(settings):
    """In production, the settings development makes up for itself must be given."""
    if settings["BOT_ENV"] != "production":
        return
    why = {"REDIS_URL": ("it is unset, and BOT_ENV is production: the bot would start an empty "
                         "database of its own, and greet every enrolled mother as new.",
                         "set REDIS_URL to the shared Redis, e.g. redis://10.0.0.5:6379/0 "
                         "(rediss:// for TLS)."),
           "SECRET_KEY": ("it is unset, and BOT_ENV is production: each web process would sign "
                          "console logins with its own key, and logins would not hold.",
                          "set SECRET_KEY to a long random value (python3 -c \"import secrets; "
                          "print(secrets.token_hex(32))\"), the same on every node.")}
    given = dict(settings, REDIS_URL=settings.get("REDIS_URL") or settings.get("REDIS_SENTINELS"))
    missing = [InvalidSetting(name, *reason) for name, reason in why.items()
               if not str(given.get(name) or "").strip()]
    if missing:
        raise missing[0] if len(missing) == 1 else InvalidSettings(missing)


def environment(settings):
    """BOT_ENV: development or production (a misspelt one is refused, never taken as either)."""
    name = str(settings["BOT_ENV"]).strip().lower()
    if name not in ENVIRONMENTS:
        # A misspelt 'production' must not quietly run with open webhooks.
        raise InvalidSetting("BOT_ENV", f"'{name}' is not one of {', '.join(ENVIRONMENTS)}.",
                             "write BOT_ENV=production on a server, or leave it unset.")
    settings["BOT_ENV"] = name
    return name


def _webhook_token_needed(settings):
    """Production needs WEBHOOK_TOKEN, or anyone could read and delete mothers' data."""
    if settings["BOT_ENV"] == "production" and not str(settings["WEBHOOK_TOKEN"] or "").strip():
        raise InvalidSetting("WEBHOOK_TOKEN", "it is unset, and BOT_ENV is production: anyone "
                             "could call the webhooks and read or delete mothers' records.",
                             "set WEBHOOK_TOKEN to a long random value (python3 -c \"import "
                             "secrets; print(secrets.token_urlsafe(32))\") and put it in AT's "
                             "callback URLs as ?token=<value>.")


def log_format(value):
    """LOG_FORMAT: text (the default) or json."""
    name = str(value).strip().lower()
    if name not in ("text", "json"):
        raise InvalidSetting("LOG_FORMAT", f"'{name}' is not text or json.",
                             "write LOG_FORMAT=json for one JSON object per line, or leave it unset.")
    return name


def allowed_networks(value):
    """The networks in WEBHOOK_ALLOW, read as CIDRs (a single address is a network of one)."""
    written = value.split(",") if isinstance(value, str) else list(value)
    found = []
    for place, raw in enumerate((str(part).strip() for part in written if str(part).strip()), 1):
        try:
            found.append(ipaddress.ip_network(raw, strict=False))
        except ValueError:
            raise InvalidSetting("WEBHOOK_ALLOW", f"entry {place} ('{raw}') is not a network.",
                                 "write networks as 192.0.2.0/24 or single addresses, "
                                 "separated by commas, or leave it empty.") from None
    return tuple(found)


def programme_name(value):
    """PROGRAMME_NAME_IN_SMS, refused when an SMS naming it could reveal HIV care."""
    from .content import gsm, sms_rules

    name = " ".join(str(value).split())
    telling = sms_rules.PRIVATE_WORDS.search(name) or sms_rules.PROGRAMME_WORDS.search(name)
    if telling:
        raise InvalidSetting("PROGRAMME_NAME_IN_SMS", f"'{telling.group(0)}' in the name would tell "
                             "whoever reads her SMS on a shared phone that she is in HIV care.",
                             f"choose a neutral name such as '{DEFAULT_PROGRAMME_NAME}'.")
    if not 0 < len(name) <= 30 or gsm.encoding(name) != "GSM-7":
        raise InvalidSetting("PROGRAMME_NAME_IN_SMS", "the name must be 1 to 30 plain letters, "
                             "so that every SMS naming it still fits in one part.",
                             f"write a short name such as '{DEFAULT_PROGRAMME_NAME}'.")
    return name


def ussd_code(value):
    """USSD_CODE as a mother dials it, refused unless it looks like one (*384*123#)."""
    code = "".join(str(value or "").split())
    # A typo here goes out in SMS to every mother who asks where her visit date is.
    if code and (len(code) > 20 or not re.fullmatch(r"\*\d{1,4}(\*\d{1,6}){0,3}#", code)):
        raise InvalidSetting("USSD_CODE", f"'{code[:30]}' is not a USSD code.",
                             "write the code mothers dial, such as *384*123#, or leave it empty.")
    return code


def alert_phones(value, region):
    """The numbers in URGENT_ALERT_PHONES as E.164, in order, each once."""
    written = value.split(",") if isinstance(value, str) else list(value)
    found = []
    for place, raw in enumerate((part.strip() for part in written if str(part).strip()), 1):
        # Only digits and the usual separators: phonenumbers would read "07..;07.." as one
        # number with an extension and drop the second Mentor Mother without a word.
        number = phones.normalise(raw, region) if re.fullmatch(r"\+?[\d ()-]+", raw) else None
        if number is None:
            # An alert that never arrives leaves a mother in danger unseen: refuse to start.
            raise InvalidSetting("URGENT_ALERT_PHONES", f"number {place} (ending "
                                 f"{mask_phone(raw)[-3:]}) is not a valid phone number.",
                                 "write each on-duty Mentor Mother's mobile number as +2547... "
                                 "or 07..., separated by commas, or leave it empty.")
        if number not in found:
            found.append(number)
    return tuple(found)


def web_server(environ=None):
    """Read WEB_CONNECTIONS and WEB_KEEPALIVE_SECONDS for gunicorn; raise InvalidSetting if unusable."""
    settings = {**DEFAULTS, **from_environment(environ)}
    return tuple(config_rules.number_in_range(name, settings[name]) for name in config_rules.WEB_SERVER)


def _flag(text):
    """Read an on/off setting: 1, true, yes, on are on; anything else is off."""
    return text.strip().lower() in ("1", "true", "yes", "on")


def from_environment(environ=None):
    """Return the settings found in the environment, converted to their types."""
    environ = os.environ if environ is None else environ
    found, wrong = {}, []
    for name, default in DEFAULTS.items():
        if name in environ and name != "MAX_CONTENT_LENGTH":
            cast = _flag if isinstance(default, bool) else _NUMBERS.get(name, type(default))
            try:
                if cast is list:  # written as 10,30,60
                    found[name] = [float(part) for part in environ[name].split(",")
                                   if part.strip()]
                else:
                    found[name] = cast(environ[name].strip())
            except ValueError:
                wrong.append(InvalidSetting(name, f"'{environ[name]}' is not a number.",
                                            f"write {_example(name, default)}."))
    if wrong:
        raise wrong[0] if len(wrong) == 1 else InvalidSettings(wrong)
    return found


def _example(name, default):
    if isinstance(default, list):
        return f"numbers separated by commas, e.g. {name}={','.join(str(v) for v in default)}"
    return f"a number, e.g. {name}={default}"
