"""Save a text from the console and record the change, so it can be listed and undone.

Saving and undoing go through the same path: the same Redis lock, the same
checked save (locale_edit.save, which refuses what `flows check` would refuse),
and one history entry per language changed (bot/review/history.py).
"""

from pathlib import Path

from flask import current_app, g

from .. import store
from ..content import yamlfile
from ..review import history
from . import locale_edit

LOCK = "console:texts:lock"
LANGUAGES = ("en", "sw")


def in_file(key, language):
    """The words of `key` in `language` as the file holds them now, or None."""
    namespace, _, name = key.partition(".")
    path = Path(current_app.config["LOCALES_DIR"]) / f"{namespace}.{language}.yml"
    if not name or not path.is_file():
        return None
    return (yamlfile.load(locale_edit.read(path))[0] or {}).get(name)


def save(key, texts, was=None, undo_of=None):
    """Check and save `texts` ({language: words}) for `key`, record each change; return the
    languages changed. Raises locale_edit.EditRefused or redis' LockError."""
    config = current_app.config
    client = store.redis()
    with client.lock(LOCK, timeout=60, blocking_timeout=20):
        old = {lang: in_file(key, lang) if locale_edit.KEY.match(key) else None for lang in texts}
        changed = locale_edit.save(config["FLOWS_DIR"], config["LOCALES_DIR"], key, texts, was,
                                   LANGUAGES, config["DEFAULT_LANGUAGE"])
        for lang in changed:
            history.record(client, key, lang, old[lang] or "", texts[lang], g.user["name"],
                           undo_of=undo_of)
    return changed


def undo(key, change_id):
    """Write back the words a recorded change replaced; return (ok, message, problems)."""
    change = history.find(store.redis(), key, change_id)
    if change is None:
        return False, "This change is not in the text's history, so it cannot be undone.", []
    lang = change["language"]
    now = in_file(key, lang)
    if now != change["new"]:
        return False, (f"Not undone: the {lang} text was changed again after this change. Undo the "
                       "later change first, or write the words you want and save."), []
    try:
        save(key, {lang: change["old"]}, was={lang: change["new"]}, undo_of=change_id)
    except locale_edit.EditRefused as err:
        return False, ("Not undone: the check found a problem with the old words (the flows or "
                       "other texts changed since)."), err.problems
    return True, f"Undone: the {lang} text is back as it was. The bot uses it within a few seconds.", []
