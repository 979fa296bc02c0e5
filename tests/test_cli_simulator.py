"""`flask --app wsgi ussd`: staff try the menus in a terminal."""


def test_scripted_inputs_print_every_screen(runner):
    result = runner.invoke(args=["ussd", "--phone", "+254712000301", "2", "2", "3", "1"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("Chagua lugha") < out.index("> 2") < out.index("Mama Mentor. Chagua mada")
    assert "> 1" in out and "Mbebe ngozi kwa ngozi" in out


def test_redial_offers_to_continue(runner):
    result = runner.invoke(args=["ussd", "--phone", "+254712000302", "1", "2", "2", "1", "redial",
                                 "1"])
    screens = [block.strip() for block in result.output.split("> ")]
    left = screens[4].split("\n", 1)[1]  # the screen after the last "1": where the call dropped
    assert "Welcome back." in screens[5]
    assert screens[6].split("\n", 1)[1] == left


def test_interactive_answers_from_the_keyboard(runner):
    result = runner.invoke(args=["ussd", "--phone", "+254712000303"], input="1\n2\n5\n4\n1\n1\nq\n")
    assert "A Mentor Mother will call you" in result.output
    assert "-- session ended --" in result.output
    assert "(session ended; type 'redial' to dial again)" in result.output


def test_the_token_is_sent_when_one_is_set(runner, app):
    app.config["WEBHOOK_TOKEN"] = "t0ken"
    result = runner.invoke(args=["ussd", "--phone", "+254712000304"])
    assert "Choose language" in result.output
