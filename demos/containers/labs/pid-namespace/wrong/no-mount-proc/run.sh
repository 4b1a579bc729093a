#!/bin/sh
# run.sh <command…>: how the CI runner starts each job, as root. Last week one job's `pkill node`
# killed the runner and every other job on the machine, and another job's tests reached a server
# on the network they should never have seen. A job must see only its own processes, and no
# network at all.
exec unshare --pid --fork --net "$@"
