#!/bin/sh
# trace.sh <command…>: runs the command as it is, and shows, on stderr, every file it tries to
# open and what the kernel answered. For the service that dies at start with only "config not
# found": it has looked somewhere, and the kernel knows where.
# openat is the call that opens files (glibc's open() is openat too); -f follows the children
# the command forks, where the work may happen. exec: its exit status is the command's.
exec strace -f -e trace=openat "$@"
