"""A version's files as a mapping {"flows/main.yaml": bytes}: read from a checkout, written to a folder."""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

FOLDERS = ("flows", "locales")
SUFFIXES = (".yaml", ".yml", ".json", ".csv")  # .csv: flows/facilities.csv


def read_checkout(flows_dir, locales_dir):
    """Return {path: bytes} of every content file in the two folders, paths like flows/main.yaml."""
    found = {}
    for name, folder in zip(FOLDERS, (flows_dir, locales_dir), strict=True):
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and not path.name.startswith("."):
                found[f"{name}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    return found


def digest(files):
    """A fingerprint of the files' names and words: the same set gives the same one anywhere."""
    total = hashlib.sha256()
    for path in sorted(files):
        total.update(path.encode() + b"\0" + files[path] + b"\0")
    return total.hexdigest()


def safe_path(path):
    """True when `path` stays inside flows/ or locales/ (a stored name never escapes the folder)."""
    parts = Path(path).parts
    return (len(parts) >= 2 and parts[0] in FOLDERS and ".." not in parts
            and not Path(path).is_absolute() and Path(path).suffix in SUFFIXES)


def write_folder(files, target):
    """Write the files under `target` (flows/ and locales/ inside) in one step; return `target`."""
    target = Path(target)
    if (target / ".complete").is_file():
        return target  # written before: a version's files never change
    target.parent.mkdir(parents=True, exist_ok=True)
    spare = Path(tempfile.mkdtemp(prefix=".new-", dir=target.parent))
    for name in FOLDERS:
        (spare / name).mkdir()
    for path, data in files.items():
        if not safe_path(path):
            continue
        (spare / path).parent.mkdir(parents=True, exist_ok=True)
        (spare / path).write_bytes(data)
    (spare / ".complete").write_text("")
    try:
        os.rename(spare, target)
    except OSError:  # another process wrote the same version first
        shutil.rmtree(spare, ignore_errors=True)
    return target


def export(files, target):
    """Write the files into `target`/flows and `target`/locales, replacing what is there."""
    target = Path(target)
    for name in FOLDERS:
        folder = target / name
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and path.suffix in SUFFIXES:
                    path.unlink()
    for path, data in files.items():
        if safe_path(path):
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(data)
    return sorted(files)
