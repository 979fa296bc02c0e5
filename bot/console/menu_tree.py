"""A flow as a tree a programme officer can read: each state, its words, and where each choice leads.

A state that can be reached twice is drawn once; later mentions point to it.
States nothing leads to are listed apart, as the checker reports them.
"""

from dataclasses import dataclass, field

from ..content.checks import targets

PREVIEW = 90  # characters of each text shown in the tree


@dataclass
class Step:
    way: str  # what leads here: an option's words, a condition, "then"
    state: str | None  # the state in this flow, or the target state in another flow
    kind: str = ""
    key: str = ""  # its text key
    text: str = ""  # its words in the first language, shortened
    flow: str | None = None  # set when the way leads to another flow
    seen: bool = False  # drawn elsewhere on the page
    missing: bool = False  # leads to a state that does not exist
    ends: bool = False  # the session ends here
    detail: str = ""  # what an input asks for, or what an action does
    follows: bool = False  # reached by a plain 'next', not by a choice or a condition
    branches: list = field(default_factory=list)

    @property
    def chained(self):
        """True when this step has a single plain continuation, drawn below it, not inside."""
        return len(self.branches) == 1 and self.branches[0].follows


def build(content, flow, language="en"):
    """Return (the tree from the start state, [trees of states nothing leads to])."""
    drawn = set()
    words = content.texts.strings.get(language, {})

    def visit(way, flow_name, state_name):
        if flow_name != flow.name:
            return Step(way, state_name, flow=flow_name)
        state = flow.states.get(state_name)
        if state is None:
            return Step(way, state_name, missing=True)
        if state_name in drawn:
            return Step(way, state_name, kind=state.kind, seen=True)
        drawn.add(state_name)
        key = state.data.get("text") or ""
        step = Step(way, state_name, state.kind, key, _short(words.get(key, "")),
                    ends=state.kind == "end" or bool(state.data.get("end")), detail=detail(state))
        step.branches = [visit(label, f or flow.name, s) for label, f, s in ways(state, words)]
        for branch in step.branches:
            branch.follows = branch.way.startswith("then")
        return step

    tree = visit("", flow.name, flow.start)
    rest = [visit("", flow.name, name) for name in flow.states if name not in drawn]
    return tree, rest


def ways(state, words):
    """Yield (label, flow or None, state or None) for every way out of a state."""
    data = state.data
    for where, target in targets(state):
        yield _label(state, where, target, words), target.get("flow"), target.get("next")
    if data.get("do") == "go_to_flow" and data.get("with", {}).get("flow"):
        yield "then", data["with"]["flow"], None


def _label(state, where, target, words):
    if where.startswith("option "):
        number = int(where.split()[1])
        label = f"{number}. {words.get(target['text'], target['text'])}"
        return f"{label} (only when {describe(target['when'])})" if target.get("when") else label
    if where.startswith("route "):
        return f"if {describe(target.get('when', {}))}"
    if where == "otherwise":
        return "otherwise"
    if state.kind == "message":  # her screen shows a numbered way on
        return f"then, with 1. {words.get('common.next', 'Continue')}"
    return "then"


def detail(state):
    """What an input asks for or an action does, in a few words."""
    data = state.data
    if state.kind == "input":
        asks = data.get("validate", {}).get("type", "text").replace("_", "/")
        return f"asks for {asks}" + (f", saved as {data['save_as']}" if data.get("save_as") else "")
    if state.kind == "action":
        given = ", ".join(f"{k}={v}" for k, v in data.get("with", {}).items())
        return f"does {data.get('do')}" + (f" ({given})" if given else "")
    return ""


def describe(condition):
    """A condition in words: {field: language, is_set: true} -> 'language is set'."""
    if not isinstance(condition, dict):
        return str(condition)
    if "all" in condition:
        return " and ".join(describe(c) for c in condition["all"])
    if "any" in condition:
        return "(" + " or ".join(describe(c) for c in condition["any"]) + ")"
    if "not" in condition:
        return f"not {describe(condition['not'])}"
    subject = (f"her {condition['field']}" if "field" in condition
               else f"the answer '{condition.get('result', '?')}'")
    tests = {"equals": "is", "not_equals": "is not", "one_of": "is one of", "at_least": "is at least",
             "at_most": "is at most"}
    parts = []
    for name, words in tests.items():
        if name in condition:
            value = condition[name]
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            parts.append(f"{words} {shown}")
    if "is_set" in condition:
        parts.append("is given" if condition["is_set"] else "is not given")
    return f"{subject} {' and '.join(parts) or 'matches'}"


def _short(text):
    return text if len(text) <= PREVIEW else text[:PREVIEW - 1].rstrip() + "…"
