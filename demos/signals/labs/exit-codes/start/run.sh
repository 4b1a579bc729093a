#!/bin/sh
# The entrypoint of the reports worker: the supervisor (a container runtime, systemd) starts
# `run.sh <command…>` and restarts the worker only when it reports a failure. Last night the
# worker was OOM-killed (SIGKILL) every hour, and the supervisor saw success every time.
echo "wrapper $$ starting $1"
# TODO: whatever happened to the command, the supervisor is told 0.
"$@"
exit 0
