"""Flask webhooks: how Africa's Talking reaches the bot."""

from . import sms, ussd


def init_app(app):
    app.register_blueprint(ussd.blueprint)
    app.register_blueprint(sms.blueprint)
