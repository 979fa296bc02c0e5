"""GET /console/flows and /console/flows/<name>: every flow, the checker's findings, the menu tree.

The page reads the files on disk each time, so it shows what an edit did even
when the bot is still serving the last good version.
"""

from collections import Counter

from flask import abort, current_app, render_template, request

from ..content.loader import read_content
from . import menu_tree
from .web import blueprint

LANGUAGES = {"en": "English", "sw": "Kiswahili"}


def check_files():
    """Return (content, errors, warnings) for the flows and texts on disk."""
    config = current_app.config
    content, problems = read_content(config["FLOWS_DIR"], config["LOCALES_DIR"],
                                     default_language=config["DEFAULT_LANGUAGE"],
                                     programme_name=config["PROGRAMME_NAME_IN_SMS"],
                                     ussd_code=config["USSD_CODE"])
    return content, [p for p in problems if not p.warning], [p for p in problems if p.warning]


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
                           languages=content.languages)


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
