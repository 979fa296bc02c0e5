"""GET /console/flows and /console/flows/<name>: every flow, the checker's findings, the menu tree.

The page checks the files of the version every node serves now (bot/content_versions),
so the warnings it lists are those of what callers get.
"""

from collections import Counter

from flask import abort, current_app, render_template, request

from .. import content_service
from ..content.loader import read_content
from . import menu_tree
from .web import blueprint

LANGUAGES = {"en": "English", "sw": "Kiswahili"}


def check_files(folder=None):
    """Return (content, errors, warnings) for the flows and texts served now (or in `folder`)."""
    config = current_app.config
    if folder is None:
        content_service.current()
        folder = content_service.folder_of(current_app._get_current_object())
    content, problems = read_content(folder / "flows", folder / "locales",
                                     default_language=config["DEFAULT_LANGUAGE"],
                                     programme_name=config["PROGRAMME_NAME_IN_SMS"],
                                     ussd_code=config["USSD_CODE"])
    return content, [p for p in problems if not p.warning], [p for p in problems if p.warning]


def unpublished_problems():
    """The errors in this checkout's files when they differ from the version served: the
    reason an edit to them was not published."""
    app = current_app._get_current_object()
    if content_service.checkout_digest(app) == app.extensions["content_state"]["digest"]:
        return []
    config = app.config
    _, problems = read_content(config["FLOWS_DIR"], config["LOCALES_DIR"],
                               **content_service.settings_of(app))
    return [p for p in problems if not p.warning]


@blueprint.get("/flows")
def flows():
    content, errors, warnings = check_files()
    per_file = Counter(str(p.file) for p in errors)
    warned = Counter(str(p.file) for p in warnings)
    rows = [{"name": flow.name, "file": flow.file, "channel": flow.channel,
             "states": len(flow.states), "errors": per_file[flow.file],
             "warnings": warned[flow.file]} for flow in sorted(content.flows.values(),
                                                               key=lambda f: f.name)]
    texts = len(content.texts.strings.get(content.default_language, {}))
    return render_template("console/flows.html", rows=rows, errors=errors, warnings=warnings,
                           message_sets=sorted(content.message_sets), texts=texts,
                           languages=content.languages, number=content_service.number(),
                           unpublished=unpublished_problems())


@blueprint.get("/flows/<name>")
def flow(name):
    content, errors, warnings = check_files()
    found = content.flows.get(name)
    if found is None:
        abort(404)
    language = request.args.get("lang")
    language = language if language in content.languages else content.default_language
    tree, rest = menu_tree.build(content, found, language)
    mine = [p for p in errors + warnings if str(p.file) == found.file]
    return render_template("console/flow.html", flow=found, root=tree, rest=rest, problems=mine,
                           language=language, languages=LANGUAGES)
