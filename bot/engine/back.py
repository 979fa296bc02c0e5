"""Where 0 Back leads after something was done.

Back from the result of a done action ("Your visit is saved") leads to the menu
the action came from, not to the question just answered. And a screen that a
router chose (her details as a pregnant mother) is chosen again on the way
back, since what was just done (a loss reported) may have changed the choice.
"""

from . import conditions
from .model import Target

MAX_HOPS = 20  # routers in a row; the flow checker reports loops


def skip_answered_questions(run):
    """Cut the way back to the menu the action came from: asking again would look undone."""
    stack = run.session.stack
    for index in range(len(stack) - 1, -1, -1):
        earlier = run.content.state(*stack[index])
        if earlier is not None and earlier.kind == "menu":
            run.session.stack = stack[: index + 1]
            return
    run.session.stack = []


def chosen_again(run, flow, state):
    """Return the (flow, state) the router that chose `state` would choose now."""
    here = _routers(run.content).get((flow, state))
    for _ in range(MAX_HOPS):
        found = run.content.state(*here) if here else None
        if found is None:
            return flow, state
        if found.kind != "router":
            shows = found.kind in ("menu", "message", "input", "end")
            return here if shows else (flow, state)  # never redo an action on the way back
        here = _step(run, here, found)
    return flow, state


def _step(run, here, router):
    for route in router.data["routes"]:
        if conditions.holds(route["when"], run.contact, run.results):
            return _place(run, here[0], Target.from_data(route))
    return _place(run, here[0], Target.from_data(router.data["otherwise"]))


def _place(run, flow, target):
    if target is None:
        return None
    flow = target.flow or flow
    found = run.content.flows.get(flow)
    return (flow, target.state or (found.start if found else ""))


def _routers(content):
    """Map each state a single router leads to onto that router; kept once per content."""
    kept = content.__dict__.get("_routers")
    if kept is None:
        seen = {}
        for flow in content.flows.values():
            for state in flow.states.values():
                if state.kind != "router":
                    continue
                for data in [*state.data["routes"], state.data["otherwise"]]:
                    target = Target.from_data(data)
                    if target and target.state and not target.flow:
                        seen.setdefault((flow.name, target.state), set()).add(
                            (flow.name, state.name))
        kept = {chosen: next(iter(by)) for chosen, by in seen.items() if len(by) == 1}
        content.__dict__["_routers"] = kept
    return kept
