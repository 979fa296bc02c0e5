"""`flask api-tokens create|list|revoke`: a token is shown once, kept as a hash, revoked by name."""

from bot.api import tokens


def test_a_new_token_is_printed_once_and_opens_the_api(runner, client, db):
    made = runner.invoke(args=["api-tokens", "create", "kenyaemr-mathare"])
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
    again = runner.invoke(args=["api-tokens", "create", "emr"])
    assert again.exit_code == 1 and "already a token named emr" in again.output
    bad = runner.invoke(args=["api-tokens", "create", "my emr!"])
    assert bad.exit_code == 1 and "letters, digits" in bad.output
    missing = runner.invoke(args=["api-tokens", "revoke", "nobody"])
    assert missing.exit_code == 1 and "api-tokens list" in missing.output
