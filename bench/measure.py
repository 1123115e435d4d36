#!/usr/bin/env python3
"""Runs a command N times; prints the best CPU seconds (user+sys) and peak RSS of the child."""
import resource
import subprocess
import sys

def run(cmd, reps):
    best = None
    for _ in range(reps):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode())
            sys.exit("failed: %s" % " ".join(cmd))
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = cpu if best is None else min(best, cpu)
    # ru_maxrss of children is the largest of any child so far, in KiB
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

if __name__ == "__main__":
    reps = int(sys.argv[1])
    cpu, rss = run(sys.argv[2:], reps)
    print("%.4f %d" % (cpu, rss))
