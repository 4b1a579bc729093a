#!/bin/sh
# limit.sh: the memory budget of one CI job. The runner has made the job's memory cgroup, empty,
# and calls this with its folder in $CGROUP and the cgroup version in $CGROUP_VERSION (1 or 2);
# then it starts the job in that cgroup. Budget: 128 MiB a job.
set -e
# The hard limit: at it the kernel reclaims, then its OOM killer kills in this cgroup only.
# Swap is capped too where the kernel accounts it, or the job would swap instead of dying.
if [ "$CGROUP_VERSION" = 1 ]; then
  echo 128M > "$CGROUP/memory.limit_in_bytes"
  if [ -e "$CGROUP/memory.memsw.limit_in_bytes" ]; then
    echo 128M > "$CGROUP/memory.memsw.limit_in_bytes"
  fi
else
  echo 128M > "$CGROUP/memory.max"
  if [ -e "$CGROUP/memory.swap.max" ]; then echo 0 > "$CGROUP/memory.swap.max"; fi
fi
