#!/bin/sh
# limit.sh: the memory budget of one CI job. The runner has made the job's memory cgroup, empty,
# and calls this with its folder in $CGROUP and the cgroup version in $CGROUP_VERSION (1 or 2);
# then it starts the job in that cgroup. Budget: 128 MiB a job.
set -e
if [ "$CGROUP_VERSION" = 1 ]; then
  echo 128Mi > "$CGROUP/memory.limit_in_bytes"
else
  echo 128Mi > "$CGROUP/memory.max"
fi
