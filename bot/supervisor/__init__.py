"""Keeping the bot's own processes running on one machine, as `flask --app wsgi serve` does.

Each part (the embedded Redis, the web app, each worker) is watched: one that
dies is started again, after a pause that grows while it keeps dying soon after
starting, and left stopped after a few such deaths in a row. The web app is
never stopped because another part died. A job that was running in a worker
that died goes back to RQ's own handling of abandoned jobs: it runs again if it
has tries left, else it is failed with the reason.

In production a process manager runs the Procfile's processes instead, against
a managed Redis; RQ then finds a killed worker's job by its lapsed heartbeat.
"""
