#!/bin/sh
# trace.sh <command…>: runs the command as it is, and shows, on stderr, every file it tries to
# open and what the kernel answered. For the service that dies at start with only "config not
# found": it has looked somewhere, and the kernel knows where.
strace -f -e trace=openat "$@" 2>&1 | grep ENOENT >&2
