#!/usr/bin/env python3
"""Runs one command and prints how it went, for bench/run.sh.

    timed.py [--mem-mb N] [--timeout S] [--stdout FILE] [--stderr FILE] -- CMD…

prints one line: wall seconds, CPU seconds (user + system), peak resident
memory in MB, exit code (124 when stopped at the timeout; 128 + the signal
when killed by one). Wall time is read with a monotonic clock to the
millisecond — GNU time gives hundredths, too coarse for a 60 ms check — and
CPU time and peak memory come from the kernel's account of the child
(wait4). Only the Python standard library is used.
"""

import argparse
import os
import resource
import subprocess
import sys
import threading
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mem-mb", type=int, default=0, help="virtual memory cap (0: none)")
    ap.add_argument("--timeout", type=float, default=0, help="seconds before the command is stopped")
    ap.add_argument("--stdout", default=os.devnull)
    ap.add_argument("--stderr", default=None, help="appended to; default: inherited")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command")

    def limit():
        if args.mem_mb > 0:
            cap = args.mem_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    out = open(args.stdout, "wb")
    err = open(args.stderr, "ab") if args.stderr else None
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, preexec_fn=limit)
    fired = threading.Event()
    lock = threading.Lock()
    reaped = False

    def stop():
        # (Never signal a pid already reaped: it may be another process's.)
        with lock:
            if not reaped:
                fired.set()
                proc.kill()

    timer = threading.Timer(args.timeout, stop) if args.timeout > 0 else None
    if timer:
        timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    with lock:
        reaped = True
    wall = time.perf_counter() - start
    if timer:
        timer.cancel()
    if fired.is_set():
        code = 124
    elif os.WIFSIGNALED(status):
        code = 128 + os.WTERMSIG(status)
    else:
        code = os.WEXITSTATUS(status)
    cpu = usage.ru_utime + usage.ru_stime
    peak_mb = usage.ru_maxrss / 1024  # ru_maxrss is in KB on Linux
    print(f"{wall:.3f} {cpu:.3f} {peak_mb:.0f} {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
