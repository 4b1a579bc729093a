#!/bin/sh
# who-listens.sh PORT: prints the pid of the process listening on TCP port PORT, one per line,
# and nothing else: the on-call runbook kills what it prints when a deploy fails with
# EADDRINUSE, so a wrong pid takes down something that was doing its job.
# ss filters by the socket itself: listening (-l) TCP (-t) sockets whose own port is exactly PORT.
ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
