"""Flask webhooks: how Africa's Talking reaches the bot."""

from . import ussd


def init_app(app):
    app.register_blueprint(ussd.blueprint)
