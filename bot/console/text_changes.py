"""Save a text from the console as a new published version, and record the change.

Saving and undoing go through the same path: the same Redis lock, the same
checked edit of the version served now (locale_edit.prepare), published only
if the whole checker passes (bot/content_versions), and one history entry per
language changed (bot/review/history.py). Every node serves the new version
within seconds; the checkout's files are left as they are (`content export`
writes a version back to them).
"""

from flask import current_app, g

from .. import content_service, store
from ..content import yamlfile
from ..content_versions import versions
from ..review import history
from . import locale_edit

LOCK = "console:texts:lock"
LANGUAGES = ("en", "sw")


def served_files(app):
    """(number, {path: bytes}) of the version served now, looked up in Redis at once."""
    content_service.look_again(app)
    number, _ = content_service.serving(app)
    found = versions.files(store.redis(app), number) if number is not None else None
    return number, found if found is not None else content_service.checkout_files(app)


def text_of(found, key, language):
    """The words of `key` in `language` in a version's files, or None."""
    namespace, _, name = key.partition(".")
    data = found.get(f"locales/{namespace}.{language}.yml")
    if not name or data is None:
        return None
    return (yamlfile.load(data.decode("utf-8"))[0] or {}).get(name)


def in_file(key, language):
    """The words of `key` in `language` as the version served now holds them, or None."""
    return text_of(served_files(current_app._get_current_object())[1], key, language)


def save(key, texts, was=None, undo_of=None):
    """Check and publish `texts` ({language: words}) for `key`, record each change; return the
    languages changed. Raises locale_edit.EditRefused or redis' LockError."""
    app = current_app._get_current_object()
    client = store.redis()
    with client.lock(LOCK, timeout=60, blocking_timeout=20):
        number, found = served_files(app)
        changes = locale_edit.prepare(lambda name: _source(found, name), key, texts, was, LANGUAGES)
        changed = sorted(name.split(".")[1] for name in changes)
        if changes:
            _publish(app, number, found, key, changes, changed)
        for lang in changed:
            history.record(client, key, lang, text_of(found, key, lang) or "", texts[lang],
                           g.user["name"], undo_of=undo_of)
    return changed


def _source(found, name):
    data = found.get(f"locales/{name}")
    return data.decode("utf-8") if data is not None else None


def _publish(app, number, found, key, changes, changed):
    new_files = dict(found)
    for name, source in changes.items():
        new_files[f"locales/{name}"] = source.encode("utf-8")
    try:
        content_service.publish_files(app, new_files, g.user["name"],
                                      f"Text {key} ({', '.join(changed)})", based_on=number)
    except versions.Refused as err:
        raise locale_edit.EditRefused(locale_edit.for_editor(err.problems, key)) from err
    except versions.Outdated as err:
        raise locale_edit.EditRefused([f"Version {err.number} of the texts was published since "
                                       "you opened this page. Reload it, then make your change "
                                       "again."]) from err


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
