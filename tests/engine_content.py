"""Build small in-memory content for engine tests, without files."""

from bot.content.checks import SYSTEM_KEYS
from bot.content.texts import Texts
from bot.engine.model import Content, Flow, State

SYSTEM_TEXTS = {key: key.split(".")[1].replace("_", " ") for key in SYSTEM_KEYS}
SYSTEM_TEXTS.update({"common.more": "More", "common.back": "Back", "common.main": "Menu",
                     "common.hint_number": "Reply with a number."})


def make_content(flows, texts, languages=("en",)):
    """flows: {name: {"start": s, "states": {...}}}; texts: {locale: {key: text}}."""
    catalogue = Texts()
    for locale in languages:
        for key, text in {**SYSTEM_TEXTS, **texts.get(locale, {})}.items():
            catalogue.add(locale, key, text)
    built = {
        name: Flow(name, body["start"],
                   {s: State(s, d["kind"], d) for s, d in body["states"].items()})
        for name, body in flows.items()
    }
    return Content(flows=built, texts=catalogue, languages=tuple(languages),
                   default_language=languages[0])


def menu(text, *options):
    return {"kind": "menu", "text": text, "options": list(options)}


BASIC = {
    "start": {"start": "go", "states": {
        "go": {"kind": "router", "routes": [{"when": {"field": "blocked", "equals": "yes"},
                                             "next": "bye"}],
               "otherwise": {"flow": "main"}},
        "bye": {"kind": "end", "text": "t.bye"},
    }},
    "main": {"start": "menu", "states": {
        "menu": menu("t.title", {"text": "t.a", "next": "a"}, {"text": "t.b", "flow": "other"},
                     {"text": "t.secret", "next": "a", "when": {"field": "vip", "is_set": True}}),
        "a": {"kind": "message", "text": "t.a_text", "next": "ask"},
        "ask": {"kind": "input", "text": "t.ask", "validate": {"type": "number", "min": 4, "max": 42},
                "save_as": "weeks", "field": "weeks", "next": "check"},
        "check": {"kind": "router", "routes": [{"when": {"result": "weeks", "at_least": 28},
                                                "next": "late"}],
                  "otherwise": {"next": "early"}},
        "late": {"kind": "message", "text": "t.late", "end": True},
        "early": {"kind": "message", "text": "t.early"},
    }},
    "other": {"start": "m", "states": {"m": {"kind": "message", "text": "t.other"}}},
}
BASIC_TEXTS = {"en": {
    "t.bye": "Goodbye.", "t.title": "Main", "t.a": "Topic A", "t.b": "Topic B",
    "t.secret": "Secret", "t.a_text": "About A.", "t.ask": "How many weeks pregnant are you?",
    "t.late": "Weeks %{weeks}: late.", "t.early": "Early.", "t.other": "Other flow.",
}}
