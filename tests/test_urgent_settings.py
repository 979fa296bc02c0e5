"""URGENT_ALERT_PHONES: read from the environment, checked before the bot starts."""

import pytest

from bot import config, create_app
from bot.errors import InvalidSetting


def test_alert_numbers_are_read_in_any_usual_form_each_once(redis_url):
    environ = {"URGENT_ALERT_PHONES": " 0712000501, +254722000502,254712000501 ,"}
    app = create_app({**config.from_environment(environ), "REDIS_URL": redis_url})
    assert app.config["URGENT_ALERT_PHONES"] == ("+254712000501", "+254722000502")


def test_no_alert_numbers_by_default(redis_url):
    assert create_app({"REDIS_URL": redis_url}).config["URGENT_ALERT_PHONES"] == ()


@pytest.mark.parametrize("written", ["0712000501,12345", "0712000501;0722000502", "nurse"])
def test_the_bot_refuses_to_start_with_a_number_that_is_not_one(redis_url, written):
    with pytest.raises(InvalidSetting) as refused:
        create_app({"REDIS_URL": redis_url, "URGENT_ALERT_PHONES": written})
    said = str(refused.value)
    assert said.startswith("The setting URGENT_ALERT_PHONES cannot be used: number ")
    assert "Fix: write each on-duty Mentor Mother's mobile number" in said
    assert "0712000501" not in said  # the numbers themselves stay out of logs
