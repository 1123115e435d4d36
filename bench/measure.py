#!/usr/bin/env python3
"""Runs a command N times; prints the best CPU seconds (user+sys) and the peak RSS (KiB) of that command alone.

  measure.py N CMD...
  measure.py N -- CMD1... -- CMD2... : the commands take turns, run by run, and
      a line is printed for each: a burst of load on the machine then slows
      every command alike, not the one that happened to run during it.
"""
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


def split_commands(args):
    if not args or args[0] != "--":
        return [args]
    cmds = [[]]
    for a in args[1:]:
        if a == "--":
            cmds.append([])
        else:
            cmds[-1].append(a)
    return [c for c in cmds if c]


def main():
    reps = int(sys.argv[1])
    cmds = split_commands(sys.argv[2:])
    runs = [[] for _ in cmds]
    for _ in range(reps):
        for i, cmd in enumerate(cmds):
            runs[i].append(run_once(cmd))
    for r in runs:
        print("%.4f %d" % (min(c for c, _ in r), max(m for _, m in r)))


if __name__ == "__main__":
    main()
