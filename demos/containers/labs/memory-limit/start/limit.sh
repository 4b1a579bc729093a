#!/bin/sh
# limit.sh: the memory budget of one CI job. The runner has made the job's memory cgroup, empty,
# and calls this with its folder in $CGROUP and the cgroup version in $CGROUP_VERSION (1 or 2);
# then it starts the job in that cgroup. Budget: 128 MiB a job.
set -e
# TODO: nothing caps the job yet. Last night one test leaked 20 GiB and the machine's own OOM
# killer took the database with it: a job past its budget must die alone.
