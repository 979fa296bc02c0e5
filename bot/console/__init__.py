"""The staff web console under /console: follow-ups, contacts, messages, reports, flows and texts,
and a phone to try the menus, for programme staff and Mentor Mother supervisors.

Pages are drawn on the server and work without internet access: every script,
style and picture is served from bot/console/static/.
"""

from . import (  # noqa: F401  (each module adds its pages to the blueprint)
    commands,
    contacts_view,
    flows_view,
    followups_view,
    login_view,
    mentors_view,
    messages_view,
    reports_view,
    settings,
    simulator_view,
    texts_view,
    versions_view,
)
from .web import blueprint


def init_app(app):
    settings.apply(app)
    app.register_blueprint(blueprint)
    app.cli.add_command(commands.group)
