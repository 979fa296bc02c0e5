"""Property-based fuzzing: whatever arrives, a valid answer or a clear refusal; never a 500.

Bounded (a fixed number of examples each) so the suite stays quick.
"""

import shutil
import string
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels import webhooks
from bot.content.loader import read_content

ROOT = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

anything = st.text(max_size=300)
keypad = st.text(alphabet=string.digits + "*#", max_size=40)
phones = st.one_of(st.sampled_from(["+254712000001", "0712000002", "254712000003", "22384",
                                    "MPESA", ""]), anything)
forms = st.dictionaries(st.sampled_from(["sessionId", "phoneNumber", "text", "serviceCode",
                                         "networkCode", "from", "to", "id", "date", "linkId",
                                         "status", "failureReason", "retryCount", "senderId",
                                         "other"]),
                        st.one_of(anything, keypad, phones), max_size=10)


def valid_answer(answer, screens=False):
    body = answer.get_data(as_text=True)
    assert answer.status_code < 500, body
    assert "Traceback" not in body
    if answer.status_code == 400:
        assert "\n" not in body.strip() and body
    elif screens and answer.status_code == 200:
        assert body[:4] in ("CON ", "END ") and len(body) - 4 <= 182, body


@FUZZ
@given(session=st.one_of(anything, st.just("fixed")), phone=phones,
       texts=st.lists(st.one_of(keypad, anything), min_size=1, max_size=4))
def test_ussd_never_fails(client, session, phone, texts):
    history = ""
    for text in texts:
        history = text if not history else f"{history}*{text}"
        valid_answer(client.post("/ussd", data={"sessionId": session, "phoneNumber": phone,
                                                "text": history}), screens=True)


@FUZZ
@given(form=forms)
def test_every_webhook_answers_any_form(client, form):
    for path in ("/ussd", "/ussd/events", "/sms/incoming", "/sms/delivery", "/sms/optout"):
        valid_answer(client.post(path, data=form), screens=path == "/ussd")


@FUZZ
@given(body=st.binary(max_size=500), kind=st.sampled_from(
    ["application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data"]))
def test_every_webhook_answers_any_body(client, body, kind):
    for path in ("/ussd", "/ussd/events", "/sms/incoming", "/sms/delivery", "/sms/optout"):
        valid_answer(client.post(path, data=body, content_type=kind), screens=path == "/ussd")


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
              st.sampled_from(["menu", "message", "input", "router", "action", "end", "main",
                               "main.title", "next", "flow", "kind", "states", "start"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["kind", "text", "next", "flow", "options", "states", "start",
                                 "spec", "validate", "type", "routes", "when", "do", "with",
                                 "otherwise", "field", "menu", "info"]), inner, max_size=5)),
    max_leaves=25)


@FUZZ
@given(data=yaml_values, raw=st.one_of(st.none(), st.text(max_size=200)))
def test_any_flow_file_gives_problems_not_a_crash(data, raw):
    with tempfile.TemporaryDirectory() as folder:
        flows, locales = Path(folder) / "flows", Path(folder) / "locales"
        shutil.copytree(ROOT / "tests" / "checker_base" / "flows", flows)
        shutil.copytree(ROOT / "tests" / "checker_base" / "locales", locales)
        for schema in ("flow.schema.json", "message_set.schema.json", "danger_sign_words.schema.json"):
            shutil.copy(ROOT / "flows" / schema, flows)
        text = raw if raw is not None else yaml.safe_dump({"spec": 1, "flow": "main", **(
            data if isinstance(data, dict) else {"states": data})})
        (flows / "main.yaml").write_text(text, encoding="utf-8")
        content, problems = read_content(flows, locales)
        for problem in problems:
            assert problem.file and problem.message and problem.fix


@FUZZ
@given(body=st.binary(max_size=300) | st.text(alphabet="ab=&%+2B41 *#;é\x00", max_size=40).map(
    str.encode))
def test_the_callback_form_is_read_as_parse_qsl_reads_it(body):
    expected = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        expected.setdefault(name, value)
    assert webhooks._form(body) == expected
