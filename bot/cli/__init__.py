"""Staff commands, run as `flask --app wsgi <command>`."""

from ..mentors import commands as mentors
from . import (
    api_tokens,
    appointments,
    backup,
    contacts,
    content,
    export,
    facilities,
    flows,
    followups,
    reminders,
    report,
    serve,
    simulator,
    sms,
    texts,
    triage,
)


def init_app(app):
    app.cli.add_command(flows.group)
    app.cli.add_command(content.group)
    app.cli.add_command(sms.group)
    app.cli.add_command(appointments.group)
    app.cli.add_command(contacts.group)
    app.cli.add_command(reminders.group)
    app.cli.add_command(followups.group)
    app.cli.add_command(mentors.group)
    app.cli.add_command(api_tokens.group)
    app.cli.add_command(simulator.ussd)
    app.cli.add_command(serve.serve)
    app.cli.add_command(triage.group)
    app.cli.add_command(texts.group)
    app.cli.add_command(backup.backup)
    app.cli.add_command(backup.restore)
    app.cli.add_command(facilities.group)
    app.cli.add_command(report.report)
    app.cli.add_command(export.export)
