# Forks children that wait, until fork fails; prints how many forks worked and the errno name.
# Single-threaded on purpose: a pids cgroup counts threads (tasks), not only processes.
import errno, os, signal, sys

forked = 0
while forked < 1000:
    try:
        pid = os.fork()
    except OSError as e:
        print(f"forked {forked} then {errno.errorcode[e.errno]}", flush=True)
        sys.exit(0)
    if pid == 0:
        # Let go of the parent's output pipe, so whoever reads it sees it close when the parent exits.
        os.closerange(0, 3)
        signal.pause()
        os._exit(0)
    forked += 1
print(f"forked {forked} without an error", flush=True)
