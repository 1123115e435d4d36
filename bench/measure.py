#!/usr/bin/env python3
"""Runs a command N times; prints the best CPU seconds (user+sys) and the peak RSS (KiB) of that command alone."""
import os
import subprocess
import sys


def run_once(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    # wait4 gives this child's own rusage: not the Python process, not other children
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.stderr.write(err.decode(errors="replace"))
        sys.exit("failed: %s" % " ".join(cmd))
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def main():
    reps = int(sys.argv[1])
    runs = [run_once(sys.argv[2:]) for _ in range(reps)]
    print("%.4f %d" % (min(c for c, _ in runs), max(r for _, r in runs)))


if __name__ == "__main__":
    main()
