"""`flask --app wsgi texts reviewed`: record that a clinician, a native speaker or the
programme checked a text (or a whole locale file) as it reads now."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import programme_time
from ..content.texts import Texts
from ..review import trail
from ..review.trail import ROLES

group = AppGroup("texts", help="Record reviews of the bot's texts.")


@group.command("reviewed")
@click.argument("key", required=False)
@click.option("--language", "-l", type=click.Choice(["en", "sw"]),
              help="The language checked (both when not given).")
@click.option("--role", "-r", type=click.Choice(list(ROLES)), required=True,
              help="clinician (health facts), language (native Kiswahili speaker) or programme.")
@click.option("--file", "-f", "whole_file", help="Mark every text of a locale file, "
              "e.g. locales/nutrition.sw.yml.")
@click.option("--by", help="The reviewer's name or title, kept with the review.")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Day of the review (today).")
def reviewed(key, language, role, whole_file, by, on):
    """Record in locales/reviews.yaml that ROLE checked KEY (or a --file) as it reads now."""
    locales_dir = current_app.config["LOCALES_DIR"]
    found, problems = trail.load(locales_dir)
    if problems:
        raise click.ClickException("locales/reviews.yaml cannot be read; fix it first:\n" +
                                   "\n".join(f"- {p}" for p in problems))
    texts, _ = Texts.load(locales_dir)
    chosen = _chosen(texts, key, language or ("sw" if role == "language" else None), whole_file)
    day = on.date() if on else programme_time.now().date()  # the day where the programme is
    for text_key, lang in chosen:
        found.record(text_key, lang, role, texts.strings[lang][text_key], day, by)
    trail.save(locales_dir, found)
    keys = {text_key for text_key, _ in chosen}
    shown = next(iter(keys)) if len(keys) == 1 else f"{len(keys)} texts"
    click.echo(f"Recorded: {shown} reviewed by {role} on {day.isoformat()} "
               f"({', '.join(sorted({lang for _, lang in chosen}))}).")


def _chosen(texts, key, language, whole_file):
    """[(key, language)] to mark, or a plain error saying what to type instead."""
    if bool(key) == bool(whole_file):
        raise click.UsageError("Give one text KEY (e.g. nutrition.pregnancy_text) or --file "
                               "(e.g. --file locales/nutrition.sw.yml), not both.")
    if whole_file:
        name = Path(whole_file).name
        chosen = [(k, lang) for (lang, k), origin in texts.origin.items()
                  if origin and origin[0].name == name]
        if not chosen:
            raise click.ClickException(f"There are no texts in locales/{name}. Check the file name "
                                       "(e.g. locales/nutrition.sw.yml).")
        return sorted(chosen)
    languages = [language] if language else ["en", "sw"]
    chosen = [(key, lang) for lang in languages if texts.has(key, lang)]
    if not chosen:
        raise click.ClickException(f"There is no text '{key}'"
                                   f"{' in ' + language if language else ''}. Find its key with "
                                   "the console's Texts page or in locales/<topic>.<language>.yml.")
    return chosen
