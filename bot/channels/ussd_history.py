"""AT's `text` against the history kept with her session: what did she type since?

AT sends every input so far joined by `*`, at every screen, which is ambiguous
when an answer itself holds `*` (15*03*2027). We keep the history we last saw
with the session and take what follows it as the newest input; the history is
also how a request AT repeats is recognised.

Only its last HISTORY_KEPT characters are kept (with how many came before), so
a session stays small whatever AT sends: the comparison then checks that tail,
at the place AT's text has it.
"""

# Stands for each digit of a PIN in the stored history: AT sends every input again at each
# screen, but Redis keeps no PIN (bot/engine/pins.py).
SECRET = "#"
HISTORY_KEPT = 500  # characters; a whole real session is far shorter


def newest_input(history, text, skipped=0):
    """Return what the caller typed since `history`, or None for a repeated request.

    `history` is the kept tail of what AT sent last time, after `skipped` characters not kept.
    """
    end = skipped + len(history)
    if len(text) == end and _same(text[skipped:], history):
        return None
    if end == 0:
        return text
    if text[end:end + 1] == "*" and _same(text[skipped:end], history):
        return text[end + 1:]
    return text.rsplit("*", 1)[-1]  # the history disagrees with ours: trust the last part


def following(kept, skipped, text, newest, secret):
    """The whole history after `newest`: ours where it matches AT's (so an earlier PIN stays
    hidden), and the newest input hidden too when it answers a PIN question."""
    earlier = text[:len(text) - len(newest)]
    ours = kept + "*" if skipped or kept else ""
    if len(earlier) == skipped + len(ours) and _same(earlier[skipped:], ours):
        earlier = earlier[:skipped] + ours  # the part not kept is cut off again when stored
    return earlier + (SECRET * len(newest) if secret else newest)


def bounded(history):
    """(the tail of `history` to keep, how many characters come before it)."""
    skipped = max(len(history) - HISTORY_KEPT, 0)
    return history[skipped:], skipped


def _same(text, history):
    """True when `text` is `history`, a PIN's digits standing where the history has SECRET."""
    if len(text) != len(history):
        return False
    return all(typed == kept or (kept == SECRET and typed.isdigit())
               for typed, kept in zip(text, history, strict=True))
