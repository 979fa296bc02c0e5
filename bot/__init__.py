"""Mentor Mother bot: USSD and SMS health education for mothers, in English and Swahili."""

import logging
import os

from flask import Flask

from . import config
from .privacy import install_log_filter


def create_app(test_config=None):
    """Build the Flask app: settings, content, webhooks, the clinic API and staff commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.DEFAULTS)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    config.check(app.config)
    if app.config["INSTANCE_PATH"]:
        app.instance_path = os.path.abspath(app.config["INSTANCE_PATH"])
    install_log_filter(app.config["LOG_LEVEL"])
    logging.getLogger("bot").setLevel(app.config["LOG_LEVEL"])

    from . import api, channels, cli, console, content_service, monitoring

    content_service.init_app(app)
    channels.init_app(app)
    api.init_app(app)
    console.init_app(app)
    cli.init_app(app)
    monitoring.init_app(app)
    _plain_errors(app)
    return app


def _plain_errors(app):
    """Answer every HTTP error with one plain line, never an HTML page or a traceback."""
    from werkzeug.exceptions import HTTPException

    from .channels.webhooks import plain

    @app.errorhandler(HTTPException)
    def http_error(err):
        status = 400 if err.code == 413 else err.code
        reason = "the request is too large" if err.code == 413 else err.description
        return plain(f"{err.name if status == err.code else 'Bad Request'}: {reason}", status)

    @app.errorhandler(Exception)
    def unexpected(err):
        app.logger.exception("Unexpected error")
        return plain("Internal error: the problem was logged.", 500)
