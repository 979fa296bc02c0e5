"""The content the running app serves, loaded and checked at start."""

from .content import load_content


def init_app(app):
    """Load flows and texts; a broken flow stops the app with the list of problems."""
    app.extensions["content"] = load_content(
        app.config["FLOWS_DIR"], app.config["LOCALES_DIR"],
        default_language=app.config["DEFAULT_LANGUAGE"],
    )
