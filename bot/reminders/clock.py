"""A visit's time as she would say it: '9:30 am', and in Kiswahili 'saa 3:30 asubuhi'.

Kiswahili counts the hours from about sunrise: saa moja (hour one) is 07:00, so
the register's '09:30' is 'saa 3:30 asubuhi'. Written as the register has it,
'saa 09:30' would read as 15:30 to many mothers.
"""

from datetime import time

HOURS_FROM = {"sw": 6}  # the hour a language's clock starts counting from (00:00 otherwise)
PARTS = ((time(5), "night"), (time(12), "morning"), (time(16), "afternoon"), (time(19), "evening"),
         (time(23, 59, 59), "night"))


def spoken(texts, language, when):
    """`when` (a time) in her language, through the text `sms_reminders.time_of_day`."""
    start = HOURS_FROM.get(language, 0)
    hour = (when.hour - start) % 12 or 12
    part = next(name for until, name in PARTS if when < until)
    return texts.get("sms_reminders.time_of_day", language, hour=str(hour),
                     minutes=f"{when.minute:02d}",
                     part=texts.get(f"sms_reminders.part_{part}", language))
