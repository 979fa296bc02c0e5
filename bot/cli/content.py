"""`flask --app wsgi content ...`: publish flows and texts, list versions, compare, roll back, export.

Every web node and worker serves the version published last (bot/content_versions).
`publish` makes this checkout's flows/ and locales/ the next version, only if the
whole checker passes; `export` writes a version back to files to commit.
"""

import getpass

import click
from flask import current_app
from flask.cli import AppGroup

from .. import content_service, programme_time, store
from ..content_versions import changes, files, versions
from .shown import shown

group = AppGroup("content", help="Publish flows and texts to every node; history, diff, rollback.")


def _who(by):
    try:
        return by or f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


@group.command("publish")
@click.option("--note", default="", help="Why: kept with the version, e.g. 'malaria texts reviewed'.")
@click.option("--by", help="Your name, kept with the version (your login name when not given).")
def publish(note, by):
    """Publish this checkout's flows/ and locales/ as the next version, if the checker passes."""
    app = current_app._get_current_object()
    _publish(app, content_service.checkout_files(app), _who(by), note or "Published from files")


@group.command("history")
@click.option("--last", default=20, show_default=True, help="How many versions to list.")
def history(last):
    """List the versions, newest first: who published each, when, and what changed."""
    db = store.redis()
    current, _ = versions.current(db)
    found = versions.history(db, last)
    if not found:
        click.echo("No version is published yet: the bot publishes the checkout's files when it "
                   "first starts, or run: flask --app wsgi content publish")
        return
    for info in found:
        mark = "*" if info["number"] == current else " "
        click.echo(f"{mark} {info['number']:>4}  {programme_time.shown(info['at'])}  "
                   f"{shown(info['who'])}  {_summary(info['changes'])}"
                   + (f"  - {shown(info['note'])}" if info["note"] else ""))
    click.echo("* the version every node serves now")


@group.command("diff")
@click.argument("old", type=int)
@click.argument("new", type=int)
def diff(old, new):
    """Show what changed from version OLD to version NEW: texts word for word, other files by line."""
    db = store.redis()
    before, after = _files(db, old), _files(db, new)
    summary = changes.summarise(before, after)
    if not (summary["added"] or summary["removed"] or summary["changed"]):
        click.echo(f"Versions {old} and {new} hold the same flows and texts.")
        return
    for text in summary["texts"]:
        click.echo(f"{text['key']} ({text['language']}):\n"
                   f"  - {shown(text['old']) if text['old'] is not None else '(none)'}\n"
                   f"  + {shown(text['new']) if text['new'] is not None else '(none)'}")
    others = {p: b for p, b in before.items() if not p.endswith(".yml")}
    for line in changes.lines_changed(others, {p: b for p, b in after.items()
                                               if not p.endswith(".yml")}):
        click.echo(shown(line))
    click.echo(f"From version {old} to {new}: {_summary(summary)}.")


@group.command("rollback")
@click.argument("number", type=int)
@click.option("--note", default="", help="Why, kept with the new version.")
@click.option("--by", help="Your name, kept with the version (your login name when not given).")
def rollback(number, note, by):
    """Publish version NUMBER again as the next version (the history keeps every step)."""
    app = current_app._get_current_object()
    found = _files(store.redis(), number)
    _publish(app, found, _who(by), note or f"Back to version {number}")


@group.command("export")
@click.argument("number", type=int)
@click.argument("folder", type=click.Path(file_okay=False))
def export(number, folder):
    """Write version NUMBER's flows/ and locales/ into FOLDER (e.g. . for this checkout), to commit."""
    written = files.export(_files(store.redis(), number), folder)
    click.echo(f"Wrote {len(written)} files of version {number} into {folder}/flows and "
               f"{folder}/locales. Check them with flows check, then commit them.")


def _files(db, number):
    found = versions.files(db, number)
    if found is None:
        raise click.ClickException(f"There is no version {number}. List them with: "
                                   "flask --app wsgi content history")
    return found


def _publish(app, new_files, who, note):
    try:
        info = content_service.publish_files(app, new_files, who, note)
    except versions.Refused as err:
        for problem in err.problems:
            click.echo(f"- {problem}")
        raise click.ClickException(f"Nothing was published: the checker found {len(err.problems)} "
                                   "problem(s), listed above. Fix them and publish again.") from None
    if info["unchanged"]:
        click.echo(f"Nothing to publish: these flows and texts are version {info['number']}, "
                   "served now.")
        return
    click.echo(f"Published version {info['number']}: {_summary(info['changes'])}. Every node "
               "serves it within a few seconds; calls already going on finish on the version "
               "they started on.")


def _summary(summary):
    """'3 texts, 1 file changed' in a few words."""
    if not summary:
        return "no changes recorded"
    if summary.get("first"):
        return f"the first version ({len(summary['added'])} files)"
    changed = len(summary.get("added", [])) + len(summary.get("removed", [])) + \
        len(summary.get("changed", []))
    texts = len(summary.get("texts", []))
    return f"{changed} file(s), {texts} text(s) changed"
