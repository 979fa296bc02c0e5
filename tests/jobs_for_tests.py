"""Jobs that only tests queue, run by a real worker process."""

import os
import time

from rq import get_current_job


def wait_in_job(key, seconds):
    """Note this job process's pid under `key`, then wait: a job to kill its worker in."""
    get_current_job().connection.set(key, os.getpid())
    time.sleep(seconds)


def check_chains(config, now):
    """Run the chain check from inside a running job; return what it booked."""
    from datetime import datetime

    from bot.supervisor import chains

    return chains.keep_booked(get_current_job().connection, config, datetime.fromisoformat(now))


def report_sent(sent):
    """Finish as a dispatch job does, with its report."""
    return {"sent": sent, "busy_parts": 0}


def fail_mid_send():
    """End as a dispatch job cut off mid-send would: with an error and no report."""
    raise TimeoutError("Task exceeded maximum timeout value (1800 seconds)")
