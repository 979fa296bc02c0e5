"""Conditions written in flow files, checked without eval.

A condition is a small mapping: what to look at (`field` on the contact or
`result` from this session) and one test, or `all` / `any` / `not` over other
conditions. Example: `{field: stage, equals: pregnant}`. Names are looked up
flat in two dictionaries; nothing in a file can reach Python attributes.
"""

TESTS = ("equals", "not_equals", "one_of", "at_least", "at_most", "is_set")


def holds(condition, contact, results):
    """Return True when `condition` is true for this contact and these answers."""
    if "all" in condition:
        return all(holds(part, contact, results) for part in condition["all"])
    if "any" in condition:
        return any(holds(part, contact, results) for part in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], contact, results)
    if "field" in condition:
        value = contact.get(condition["field"])
    else:
        value = results.get(condition.get("result"))
    return all(_test(name, condition[name], value) for name in TESTS if name in condition)


def _test(name, expected, value):
    present = value not in (None, "")
    if name == "is_set":
        return present == bool(expected)
    if not present:
        return name == "not_equals"
    if name == "equals":
        return _same(value, expected)
    if name == "not_equals":
        return not _same(value, expected)
    if name == "one_of":
        return any(_same(value, item) for item in expected)
    number = _number(value)
    if number is None:
        return False
    return number >= expected if name == "at_least" else number <= expected


def _same(value, expected):
    if isinstance(expected, bool):
        return str(value).lower() == str(expected).lower()
    if isinstance(expected, int | float):
        return _number(value) == expected
    return str(value).strip().lower() == str(expected).strip().lower()


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
