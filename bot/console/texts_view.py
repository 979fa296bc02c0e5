"""GET/POST /console/texts: find a text and change it in English and Kiswahili (editors only)."""

import logging
from pathlib import Path

from flask import current_app, g, jsonify, render_template, request
from redis.exceptions import LockError

from .. import content_service, store
from ..content import checks, sms_rules
from ..errors import InvalidContent
from ..review import history, trail
from ..review.state import STATES, review_states
from . import auth, locale_edit, text_changes
from .web import blueprint, wants_json

log = logging.getLogger(__name__)
LANGUAGES = {"en": "English", "sw": "Kiswahili"}
FOUND_AT_MOST = 80  # search results listed


@blueprint.get("/texts")
@auth.editors_only
def texts():
    catalogue = served_texts()
    key = request.args.get("key", "").strip()
    if key:
        return render_template("console/text_edit.html", **editor(catalogue, key), result=None)
    query = request.args.get("q", "").strip()
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    language = request.args.get("language", "")
    language = language if language in LANGUAGES else ""
    states = reviews(catalogue) if query or state else {}
    found, matched = search(catalogue, query, states, state, language)
    return render_template("console/texts.html", query=query, found=found, matched=matched,
                           state=state, language=language, states=STATES, reviews=states,
                           namespaces=namespaces(catalogue), languages=LANGUAGES)


@blueprint.post("/texts")
@auth.editors_only
def save_text():
    given = request.get_json(silent=True) if request.is_json else request.form
    given = given if hasattr(given, "get") else {}
    key = str(given.get("key", "")).strip()
    new = {lang: str(given[f"text_{lang}"]) for lang in LANGUAGES if f"text_{lang}" in given}
    was = {lang: str(given[f"was_{lang}"]) for lang in LANGUAGES if f"was_{lang}" in given}
    changed = []
    try:
        changed = text_changes.save(key, new, was)
    except LockError:
        result = {"ok": False, "message": "Someone else is saving a text. Try again in a moment.",
                  "problems": []}
    except locale_edit.EditRefused as err:
        result = {"ok": False, "message": "Not saved: the check found a problem with this edit.",
                  "problems": err.problems}
    else:
        if changed:  # published as a new version: every node serves it within seconds
            log.info("Console: %s changed the text %s (%s)", g.user["name"], key, ", ".join(changed))
        names = " and ".join(LANGUAGES[lang] for lang in changed)
        result = {"ok": True, "problems": [],
                  "message": f"Saved the {names} text. The bot uses it within a few seconds."
                  if changed else "Nothing changed: the texts are the same as in the file."}
    catalogue = served_texts()
    if result["ok"] and changed and _now_changed(catalogue, key, changed):
        result["message"] += (" It had been reviewed: it now shows as changed since review "
                              "until a reviewer checks it again.")
    if wants_json():
        return jsonify(result), 200 if result["ok"] else 422
    page = editor(catalogue, key)
    if not result["ok"]:
        page["values"] = {lang: new.get(lang, page["values"][lang]) for lang in LANGUAGES}
    return render_template("console/text_edit.html", **page, result=result), \
        200 if result["ok"] else 422


@blueprint.post("/texts/undo")
@auth.editors_only
def undo_change():
    given = request.get_json(silent=True) if request.is_json else request.form
    given = given if hasattr(given, "get") else {}
    key, change = str(given.get("key", "")).strip(), str(given.get("change", "")).strip()
    try:
        ok, message, problems = text_changes.undo(key, change)
    except LockError:
        ok, message, problems = False, "Someone else is saving a text. Try again in a moment.", []
    if ok:
        log.info("Console: %s undid a change to the text %s", g.user["name"], key)
    result = {"ok": ok, "message": message, "problems": problems}
    if wants_json():
        return jsonify(result), 200 if ok else 422
    return render_template("console/text_edit.html", **editor(served_texts(), key),
                           result=result), 200 if ok else 422


def served_texts():
    """The texts of the version the bot serves now (every node serves the same)."""
    content_service.look_again(current_app._get_current_object())
    return content_service.current().texts


def editor(catalogue, key):
    """What the edit page needs for one key."""
    values = {lang: catalogue.strings.get(lang, {}).get(key) for lang in LANGUAGES}
    origins = {lang: catalogue.origin.get((lang, key)) for lang in LANGUAGES}
    where = {lang: f"locales/{Path(o[0]).name}, line {o[1]}" if o else f"not in locales/"
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
    states = reviews(catalogue)
    changes = history.changes(store.redis(), key)
    undone = {c["undo_of"] for c in changes if c.get("undo_of")}
    return {"key": key, "known": any(v is not None for v in values.values()), "values": in_files,
            "was": dict(in_files), "where": where, "sms": sms, "used": used, "languages": LANGUAGES,
            "reviews": {lang: states.get((key, lang)) for lang in LANGUAGES},
            "changes": changes, "undone": undone}


def _now_changed(catalogue, key, languages):
    """Whether a reviewed text in one of `languages` no longer matches its review."""
    states = reviews(catalogue)
    return any((r := states.get((key, lang))) and r.state == "changed" for lang in languages)


def reviews(catalogue):
    """{(key, language): TextReview}; every text unreviewed when locales/reviews.yaml is broken."""
    found, problems = trail.load(current_app.config["LOCALES_DIR"])
    g.review_problems = problems  # shown on the page: otherwise every text just looks unreviewed
    if problems:
        log.warning("Console: %s cannot be read; run flows check --review", trail.FILE)
    return {(r.key, r.language): r for r in review_states(catalogue, found)}


def search(catalogue, query, states=None, state="", language=""):
    """([(key, English words)], how many matched): keys whose name or words hold `query` and,
    given a review state, whose text in `language` (either language when not given) is in it."""
    if not query and not state:
        return [], 0
    needle = query.lower()
    first = catalogue.strings.get("en", {})
    keys = sorted({key for lang in LANGUAGES for key, text in catalogue.strings.get(lang, {}).items()
                   if needle in key.lower() or needle in text.lower()})
    if state:
        wanted = [language] if language else list(LANGUAGES)
        keys = [key for key in keys if any(
            (r := states.get((key, lang))) and r.state == state for lang in wanted)]
    return [(key, first.get(key, "")) for key in keys[:FOUND_AT_MOST]], len(keys)


def namespaces(catalogue):
    """[(namespace, number of texts)] from the first language's file names."""
    counts = {}
    for key in catalogue.strings.get("en", {}):
        counts[key.split(".")[0]] = counts.get(key.split(".")[0], 0) + 1
    return sorted(counts.items())
