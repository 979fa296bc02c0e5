"""The lexicon is content: reloaded after an edit, and a broken one never served."""

import shutil
import time
from pathlib import Path

import pytest

from bot import content_service, create_app, store
from bot.errors import InvalidContent
from bot.triage import detect

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def copy(tmp_path):
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    return tmp_path


def _app(folder, redis_url):
    return create_app({"TESTING": True, "REDIS_URL": redis_url, "CONTENT_RELOAD_SECONDS": 0.05,
                       "FLOWS_DIR": str(folder / "flows"), "LOCALES_DIR": str(folder / "locales")})


def test_an_edit_is_used_within_seconds_and_a_broken_edit_is_ignored(copy, redis_url, caplog):
    app = _app(copy, redis_url)
    lexicon_file = copy / "flows" / "danger_sign_words.yaml"
    text = lexicon_file.read_text(encoding="utf-8")
    try:
        with app.app_context():
            assert detect(content_service.current().danger_signs, "mtoto ana kizunguzungu") is None
            lexicon_file.write_text(text.replace("[fever, ", "[fever, kizunguzungu, "), "utf-8")
            time.sleep(0.1)
            assert detect(content_service.current().danger_signs, "mtoto ana kizunguzungu")
            lexicon_file.write_text(text.replace("category: any", "category: anyone"), "utf-8")
            time.sleep(0.1)
            assert detect(content_service.current().danger_signs, "mtoto ana kizunguzungu")
            assert "Edited flows not published" in caplog.text
    finally:
        store.redis(app).close()


def test_the_app_does_not_start_on_a_broken_lexicon(copy, redis_url):
    lexicon_file = copy / "flows" / "danger_sign_words.yaml"
    text = lexicon_file.read_text(encoding="utf-8")
    lexicon_file.write_text(text.replace("[fever, ", "[fever, FEVER, "), "utf-8")
    with pytest.raises(InvalidContent, match="danger_sign_words.yaml, line .*The term 'FEVER'"):
        _app(copy, redis_url)
