"""`flask api-tokens create|list|revoke`: a token is shown once, kept as a hash, revoked by name."""

from bot.api import tokens


def test_a_new_token_is_printed_once_and_opens_the_api(runner, client, db):
    made = runner.invoke(args=["api-tokens", "create", "kenyaemr-mathare", "--scope", "all"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert len(token) >= 40 and "\n" not in token  # only the token goes to stdout
    assert "shown only now" in made.stderr
    assert token not in str(db.hgetall(tokens.BY_HASH)) + str(db.hgetall(tokens.BY_NAME))
    answer = client.get("/api/followups", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def test_list_shows_names_only(runner, db):
    token = tokens.create(db, "booking-system")
    listed = runner.invoke(args=["api-tokens", "list"])
    assert listed.exit_code == 0 and "booking-system" in listed.output
    assert token not in listed.output and tokens.digest(token) not in listed.output


def test_an_empty_list_says_how_to_make_a_token(runner):
    assert "api-tokens create NAME" in runner.invoke(args=["api-tokens", "list"]).output


def test_revoking_stops_the_token(runner, client, db):
    token = tokens.create(db, "old-emr")
    revoked = runner.invoke(args=["api-tokens", "revoke", "old-emr"])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert client.get("/api/followups", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert runner.invoke(args=["api-tokens", "list"]).output.count("old-emr") == 0


def test_mistakes_are_explained(runner, db):
    tokens.create(db, "emr")
    again = runner.invoke(args=["api-tokens", "create", "emr", "--scope", "all"])
    assert again.exit_code == 1 and "already a token named emr" in again.output
    bad = runner.invoke(args=["api-tokens", "create", "my emr!", "--scope", "all"])
    assert bad.exit_code == 1 and "letters, digits" in bad.output
    missing = runner.invoke(args=["api-tokens", "revoke", "nobody"])
    assert missing.exit_code == 1 and "api-tokens list" in missing.output
    unscoped = runner.invoke(args=["api-tokens", "create", "emr-2"])
    assert unscoped.exit_code == 2 and "--scope" in unscoped.output


def test_a_token_may_do_only_what_its_scopes_allow(runner, client, db):
    made = runner.invoke(args=["api-tokens", "create", "booking", "--scope", "contacts:write"])
    assert made.exit_code == 0, made.output
    headers = {"Authorization": f"Bearer {made.stdout.strip()}"}
    enrolled = client.put("/api/contacts/0712000991", json={"consent_sms": True}, headers=headers)
    assert enrolled.status_code == 201
    for refused, scope in ((client.get("/api/followups", headers=headers), "followups:read"),
                           (client.get("/api/contacts/0712000991", headers=headers), "contacts:read")):
        assert refused.status_code == 403 and refused.get_json()["field"] is None
        assert f"needs the scope {scope}" in refused.get_json()["error"]
    listed = runner.invoke(args=["api-tokens", "list"]).output
    assert "booking  made" in listed and "may: contacts:write" in listed
    runner.invoke(args=["api-tokens", "revoke", "booking"])
    assert db.hgetall(tokens.SCOPES_BY_HASH) == {}


def test_a_token_made_before_scopes_may_still_do_everything(client, db):
    token = tokens.create(db, "old-emr")
    db.delete(tokens.SCOPES_BY_HASH)  # as stored before tokens had scopes
    assert client.get("/api/followups", headers={"Authorization": f"Bearer {token}"}).status_code == 200
