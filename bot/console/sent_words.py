"""The words of an SMS as she received them, for her page in the console.

A reminder's record keeps only its id (its words follow from it, and keeping
them for every mother would cost memory at national scale). Her page rebuilds
the words: a stage or day message from the content, a visit reminder by
planning her reminders again at the moment it was sent and rendering the one
with that id (bot/reminders/dispatch.render). When her visits changed since,
the words may be gone; the page then says what kind of reminder it was.
"""

from datetime import datetime

from ..reminders import plan
from ..reminders.dispatch import render

KINDS = {"visit": "visit reminder", "s": "suggested visit", "stage": "weekly message",
         "hiv": "HIV care message", "day": "daily message"}


def words(messages, content, contact, found_visits, rules, tz):
    """Give each message a `words` field: its text, or the rebuilt reminder, or why not."""
    for message in messages:
        if message.get("text"):
            message["words"], message["rebuilt"] = message["text"], False
            continue
        ref = message.get("ref", "")
        text = _rebuilt(ref, message, content, contact, found_visits, rules, tz)
        message["rebuilt"] = text is not None
        message["words"] = text if text is not None else (
            f"A {KINDS.get(ref.split(':')[0], 'reminder')} whose words cannot be rebuilt: "
            "her details or visits changed since it was sent.")
    return messages


def _rebuilt(ref, message, content, contact, found_visits, rules, tz):
    kind = ref.split(":")[0]
    if kind in ("stage", "hiv", "day"):
        text_key = _content_text(content, ref)
        if text_key:
            return content.texts.get(text_key, contact.get("language") or content.default_language)
    try:
        sent = datetime.fromtimestamp(int(message.get("sent_at") or 0), tz)
        for reminder in plan._all(contact, found_visits, content, sent, rules, set()):
            if reminder.id == ref or ref in reminder.also:
                return render(content, contact, reminder)
    except (KeyError, ValueError, TypeError):
        return None
    return None


def _content_text(content, ref):
    """The text key of a stage, HIV or daily message from its id, or None."""
    parts = ref.split(":")
    sets = content.message_sets.values()
    if parts[0] == "stage" and len(parts) == 3:
        message_set = content.message_sets.get(parts[1])
        message = message_set.message_at(_number(parts[2])) if message_set else None
        return message.text if message else None
    if parts[0] == "hiv" and len(parts) == 2:
        for message_set in sets:
            if message_set.opt_in == "hiv":
                message = message_set.message_at(_number(parts[1]))
                return message.text if message else None
    if parts[0] == "day" and len(parts) >= 2:
        for message_set in sets:
            for message in message_set.messages:
                if message.id == parts[1]:
                    return message.text
    return None


def _number(text):
    try:
        return int(text)
    except ValueError:
        return -1
