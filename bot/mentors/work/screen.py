"""What every screen of the work menu needs: her texts, numbered lines, the 182 limit.

A state of the work menu is two functions: `show(ctx)` gives the screen, `take(ctx, typed)`
reads her answer and names the next state (None shows the same screen again, with the hint
the state put in `ctx.hint`). Texts are keys of locales/mentor_work.<language>.yml.
"""

from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers

from ... import phones

LIMIT = 182  # GSM USSD maximum
PREFIX = "mentor_work."


@dataclass
class Ctx:
    """One request of the work menu: who she is, her session's answers, the services used."""

    db: object
    content: object
    config: dict
    mentor: dict  # her record (bot/mentors.get), with "language" filled
    now: datetime  # programme time
    data: dict = field(default_factory=dict)  # answers of this session (never her PIN)
    hint: str = ""
    sms: list = field(default_factory=list)  # SMS to queue once the step is stored

    @property
    def language(self):
        return self.mentor["language"]

    def t(self, key, **params):
        """Her text for `key` (of mentor_work unless the key names its file)."""
        name = key if "." in key else PREFIX + key
        return self.content.texts.get(name, self.language, **params)

    def phone(self, typed):
        """The number she typed as E.164, or None."""
        return phones.normalise(typed, self.config["PHONE_REGION"])


def options(ctx, *keys_or_texts, start=1):
    """Numbered lines: each item a text key, or (text,) for words already made."""
    return [f"{n}. {item[0] if isinstance(item, tuple) else ctx.t(item)}"
            for n, item in enumerate(keys_or_texts, start)]


def mother_number(ctx, typed, field):
    """The mother's number she typed, kept in this step's fresh answers as `field`; or None,
    with a hint, when it is no number or her own."""
    phone = ctx.phone(typed)
    if phone is None or phone == ctx.mentor["phone"]:
        ctx.hint = ctx.t("hint_phone")
        return None
    ctx.data.clear()
    ctx.data.update(signed_in=True, **{field: phone})
    return phone


def picked(ctx, typed, field, choices):
    """Keep `choices[typed]` as `field` and return it; None, with a hint, for another answer."""
    value = choices.get(typed)
    if value is None:
        ctx.hint = ctx.t("common.hint_number")
        return None
    ctx.data[field] = value
    return value


def one_again(state):
    """The answer to a "done" screen whose one choice, 1, starts `state` again ("Register
    another mother")."""
    def take(ctx, typed):
        if typed == "1":
            return state
        ctx.hint = ctx.t("common.hint_number")
        return None
    return take


def nav(ctx, back=True):
    """The ways out at the foot of a screen: 0 Back, 00 Menu."""
    ways = [f"0. {ctx.t('common.back')}"] if back else []
    return " ".join([*ways, f"00. {ctx.t('common.main')}"])


def screen(ctx, title, lines=(), back=True, foot=True):
    """A CON screen: the hint (if any) above the title, the lines, the ways out; within LIMIT."""
    head = f"{ctx.hint}\n{title}" if ctx.hint else title
    tail = [*lines, nav(ctx, back)] if foot else list(lines)
    return fit("CON ", head, tail)


def end(text):
    return fit("END ", text, [])


def fit(prefix, head, tail):
    """Join head and tail lines; when too long, shorten the head (never the numbered lines),
    so she always gets a whole screen she can answer."""
    body = "\n".join([head, *tail])
    over = len(body) - LIMIT  # the limit is of the text after CON/END
    if over > 0:
        head = head[:max(len(head) - over - 3, 0)].rstrip() + "..."
        body = "\n".join([head, *tail])
    return prefix + body


def dialled(phone):
    """Her number as she dials it from a Kenyan phone (0712345678), or E.164 from elsewhere."""
    number = phonenumbers.parse(phone)
    if number.country_code == 254:
        return "0" + str(number.national_number)
    return phone


def day_shown(iso_day):
    """YYYY-MM-DD as DD-MM-YYYY, the way every screen writes dates."""
    return f"{iso_day[8:10]}-{iso_day[5:7]}-{iso_day[0:4]}"
