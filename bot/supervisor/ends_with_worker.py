"""A process the worker forks (a job's, its scheduler's) is ended by the kernel with the worker."""

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent):
    """Have the kernel kill this process when `parent` dies; exit now if it already has."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not allowed here: RQ's heartbeats still find what it leaves behind
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)
