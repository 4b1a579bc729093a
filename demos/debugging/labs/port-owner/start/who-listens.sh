#!/bin/sh
# who-listens.sh PORT: prints the pid of the process listening on TCP port PORT, one per line,
# and nothing else: the on-call runbook kills what it prints when a deploy fails with
# EADDRINUSE, so a wrong pid takes down something that was doing its job.
# TODO: find the listener (the runbook says "ask the kernel: ss or lsof")
