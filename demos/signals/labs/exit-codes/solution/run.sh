#!/bin/sh
# The entrypoint of the reports worker: the supervisor (a container runtime, systemd) starts
# `run.sh <command…>` and restarts the worker only when it reports a failure. Last night the
# worker was OOM-killed (SIGKILL) every hour, and the supervisor saw success every time.
# exec: the worker takes the wrapper's place, so the supervisor sees its real end.
echo "wrapper $$ starting $1"
exec "$@"
