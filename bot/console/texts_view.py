"""GET/POST /console/texts: find a text and change it in English and Kiswahili (editors only)."""

import logging

from flask import current_app, g, jsonify, render_template, request
from redis.exceptions import LockError

from .. import content_service, store
from ..content import checks, sms_rules
from ..content.texts import Texts
from ..errors import InvalidContent
from . import auth, locale_edit
from .web import blueprint, wants_json

log = logging.getLogger(__name__)
LANGUAGES = {"en": "English", "sw": "Kiswahili"}
FOUND_AT_MOST = 80  # search results listed


@blueprint.get("/texts")
@auth.editors_only
def texts():
    catalogue, _ = Texts.load(current_app.config["LOCALES_DIR"])
    key = request.args.get("key", "").strip()
    if key:
        return render_template("console/text_edit.html", **editor(catalogue, key), result=None)
    query = request.args.get("q", "").strip()
    found, matched = search(catalogue, query)
    return render_template("console/texts.html", query=query, found=found, matched=matched,
                           namespaces=namespaces(catalogue), languages=LANGUAGES)


@blueprint.post("/texts")
@auth.editors_only
def save_text():
    given = request.get_json(silent=True) if request.is_json else request.form
    given = given if hasattr(given, "get") else {}
    key = str(given.get("key", "")).strip()
    new = {lang: str(given[f"text_{lang}"]) for lang in LANGUAGES if f"text_{lang}" in given}
    was = {lang: str(given[f"was_{lang}"]) for lang in LANGUAGES if f"was_{lang}" in given}
    config = current_app.config
    try:
        with store.redis().lock("console:texts:lock", timeout=60, blocking_timeout=20):
            changed = locale_edit.save(config["FLOWS_DIR"], config["LOCALES_DIR"], key, new, was,
                                       tuple(LANGUAGES), config["DEFAULT_LANGUAGE"])
    except LockError:
        result = {"ok": False, "message": "Someone else is saving a text. Try again in a moment.",
                  "problems": []}
    except locale_edit.EditRefused as err:
        result = {"ok": False, "message": "Not saved: the check found a problem with this edit.",
                  "problems": err.problems}
    else:
        if changed:  # the bot notices the edited file by itself (content_service) within seconds
            log.info("Console: %s changed the text %s (%s)", g.user["name"], key, ", ".join(changed))
        names = " and ".join(LANGUAGES[lang] for lang in changed)
        result = {"ok": True, "problems": [],
                  "message": f"Saved the {names} text. The bot uses it within a few seconds."
                  if changed else "Nothing changed: the texts are the same as in the file."}
    if wants_json():
        return jsonify(result), 200 if result["ok"] else 422
    catalogue, _ = Texts.load(config["LOCALES_DIR"])
    page = editor(catalogue, key)
    if not result["ok"]:
        page["values"] = {lang: new.get(lang, page["values"][lang]) for lang in LANGUAGES}
    return render_template("console/text_edit.html", **page, result=result), \
        200 if result["ok"] else 422


def editor(catalogue, key):
    """What the edit page needs for one key."""
    values = {lang: catalogue.strings.get(lang, {}).get(key) for lang in LANGUAGES}
    origins = {lang: catalogue.origin.get((lang, key)) for lang in LANGUAGES}
    where = {lang: f"locales/{o[0].name}, line {o[1]}" if o else f"not in locales/"
                   f"{key.split('.')[0]}.{lang}.yml" for lang, o in origins.items()}
    sms, used = False, []
    try:
        content = content_service.current()
    except InvalidContent:
        content = None
    if content is not None:
        sms = key in sms_rules.sms_texts(content)
        used = [f"{flow.name} flow, state {state.name}" for flow in content.flows.values()
                for state in flow.states.values() if key in checks.text_keys(state)]
        used += [f"{s.file}, message {m.id}" for s in content.message_sets.values()
                 for m in s.messages if m.text == key]
    in_files = {lang: v or "" for lang, v in values.items()}
    return {"key": key, "known": any(v is not None for v in values.values()), "values": in_files,
            "was": dict(in_files), "where": where, "sms": sms, "used": used, "languages": LANGUAGES}


def search(catalogue, query):
    """([(key, English words)], how many matched): keys whose name or words hold `query`."""
    if not query:
        return [], 0
    needle = query.lower()
    first = catalogue.strings.get("en", {})
    keys = sorted({key for lang in LANGUAGES for key, text in catalogue.strings.get(lang, {}).items()
                   if needle in key.lower() or needle in text.lower()})
    return [(key, first.get(key, "")) for key in keys[:FOUND_AT_MOST]], len(keys)


def namespaces(catalogue):
    """[(namespace, number of texts)] from the first language's file names."""
    counts = {}
    for key in catalogue.strings.get("en", {}):
        counts[key.split(".")[0]] = counts.get(key.split(".")[0], 0) + 1
    return sorted(counts.items())
