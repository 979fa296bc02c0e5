"""The flow engine: pure functions from (content, session, contact, input) to a screen.

Nothing in this package talks to Flask, Redis or the network; the channels load
and save state around it and carry out the effects it returns.
"""

from .model import Content, Effect, Screen, Session, Step
from .runner import show, start, step

__all__ = ["Content", "Effect", "Screen", "Session", "Step", "show", "start", "step"]
