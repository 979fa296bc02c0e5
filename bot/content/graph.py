"""Checks on the shape of each flow: can every state be reached, and left?

A screen a caller sees can always be left with 0 (back) or 00 (main menu),
except in the start flow, which runs before she has a main menu. Routers and
actions run without her, so a circle of them with no way out would spin
forever; the engine stops such a loop, but staff should hear of it first.
"""

from ..engine import actions
from ..engine.model import START_FLOW
from ..errors import Problem

AUTO_KINDS = ("router", "action")


def edges(flow, state):
    """Yield (flow name, state name) for every state this one can lead to."""
    data = state.data
    ways = [data] if data.get("next") or data.get("flow") else []
    ways += data.get("options", []) + data.get("routes", [])
    if "otherwise" in data:
        ways.append(data["otherwise"])
    if state.kind == "action" and data.get("do") == "go_to_flow":
        ways.append({"flow": data.get("with", {}).get("flow")})
    for way in ways:
        if way.get("flow") or way.get("next"):
            yield way.get("flow") or flow.name, way.get("next")


def check_shape(content):
    """Return problems with unreachable states, dead ends and endless loops."""
    problems = []
    for flow in content.flows.values():
        problems += _unreachable(content, flow)
        problems += _dead_ends(flow)
    problems += _endless_loops(content)
    return problems


def _resolve(content, target):
    flow_name, state_name = target
    flow = content.flows.get(flow_name)
    if flow is None:
        return None
    return flow_name, state_name or flow.start


def _unreachable(content, flow):
    seen, todo = set(), [flow.start]
    while todo:
        name = todo.pop()
        if name in seen or name not in flow.states:
            continue
        seen.add(name)
        todo += [state for target_flow, state in edges(flow, flow.states[name])
                 if target_flow == flow.name and state]
    return [Problem(flow.file, "No way leads to this state, so no caller will ever see it.",
                    state=name, line=state.line,
                    fix="Add an option or 'next' that leads here, or remove the state.")
            for name, state in flow.states.items() if name not in seen]


def _dead_ends(flow):
    problems = []
    for state in flow.states.values():
        action = actions.REGISTRY.get(state.data.get("do"))
        ends = state.kind == "end" or state.data.get("end") or (action and action.ends)
        leads_on = any(True for _ in edges(flow, state))
        if state.kind == "action" and not leads_on and not ends:
            problems.append(Problem(flow.file, "This action does not say where to go next.",
                                    state=state.name, line=state.line,
                                    fix="Add 'next: <state>' or 'flow: <flow name>'."))
        elif flow.name == START_FLOW and state.kind in ("message", "menu") and not leads_on \
                and not ends:
            problems.append(Problem(flow.file, "Callers would be stuck here: the start flow has no "
                                    "main menu to go back to.", state=state.name, line=state.line,
                                    fix="Add 'next' or 'flow: main', or 'end: true'."))
    return problems


def _endless_loops(content):
    """Find circles of routers and actions with no way out of the circle."""
    graph = {}
    for flow in content.flows.values():
        for state in flow.states.values():
            if state.kind in AUTO_KINDS:
                graph[(flow.name, state.name)] = [t for t in map(lambda e: _resolve(content, e),
                                                                 edges(flow, state)) if t]
    problems = []
    for group in _cycles(graph):
        leaves = any(t not in group for node in group for t in graph[node])
        ends = any(getattr(actions.REGISTRY.get(content.state(*node).data.get("do")), "ends", False)
                   for node in group)
        if not leaves and not ends:
            flow_name, state_name = sorted(group)[0]
            flow = content.flows[flow_name]
            names = ", ".join(f"{f}/{s}" for f, s in sorted(group))
            problems.append(Problem(flow.file, f"These states send callers round in a circle with "
                                    f"no way out: {names}.", state=state_name,
                                    line=flow.states[state_name].line,
                                    fix="Make one route or action lead to a screen."))
    return problems


def _cycles(graph):
    """Return the strongly connected groups of `graph` that contain a circle (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                groups.append(group)

    for node in graph:
        if node not in index:
            visit(node)
    return groups


