"""Clinics from the Kenya Master Health Facility List (KMHFL).

A facility has its MFL code, name, county, sub-county, a short name safe to put in an SMS
and, when known, its DHIS2 org unit. The bot uses the national list staff imported
(`flask --app wsgi facilities import FILE`, kept in Redis); until one is imported, the small
sample shipped in flows/facilities.csv. A mother's contact keeps her facility's code in
the field `facility` and its SMS name in `clinic`.
"""

from functools import lru_cache
from pathlib import Path

from . import stored
from .directory import Directory
from .records import Facility, read

FILE = "facilities.csv"  # in flows/: the shipped sample, published with the flows

__all__ = ["FILE", "Directory", "Facility", "all", "directory", "get", "load_sample"]


def get(db, code):
    """The facility with this MFL code, or None."""
    return directory(db).get(code)


def all(db):  # noqa: A001 - the name other parts of the bot call
    """Every facility, by county, sub-county and name."""
    return directory(db).all()


def directory(db, content=None, marker=False):
    """The list in use: the imported one, else the sample of `content` (the served flows).
    `marker`: which import is in use (stored.META's ID), when the caller has read it."""
    found = stored.imported(db, marker)
    if found is not None:
        return found
    if content is None:
        content = _served_content()
    if content is not None and getattr(content, "facilities", None) is not None:
        return content.facilities
    return load_sample(Path(__file__).resolve().parents[2] / "flows")


def load_sample(flows_dir):
    """The Directory of flows/facilities.csv; empty when there is no file. Read again only when
    the file changed (outside the app, e.g. in a worker, each lookup would read it otherwise)."""
    path = Path(flows_dir) / FILE
    stamp = path.stat().st_mtime_ns if path.is_file() else None
    return _sample_at(str(path.parent), stamp)


@lru_cache(maxsize=4)
def _sample_at(flows_dir, stamp):
    return read_sample(flows_dir)[0]


def read_sample(flows_dir):
    """(Directory, problems) of flows/facilities.csv."""
    path = Path(flows_dir) / FILE
    if not path.is_file():
        return Directory([]), []
    facilities, problems = read(path.read_text(encoding="utf-8-sig"), f"flows/{FILE}")
    return Directory(facilities), problems


def _served_content():
    try:
        from flask import current_app

        from .. import content_service
        current_app._get_current_object()
    except (ImportError, RuntimeError):
        return None
    try:
        return content_service.current()
    except Exception:  # no content loaded (a broken checkout): the file itself is read
        return None
