#!/usr/bin/env python3
"""apply_ab.py: interleaved process runs of "authctl apply -f FILE" by
several builds, each on a fresh database, to compare them in one sitting.

    python3 bench/apply_ab.py ROUNDS FILE BIN [BIN...]

Each round runs every BIN once, in the order given in even rounds and
reversed in odd ones (so that neither build always runs after the other),
under /usr/bin/time. It prints each run to stderr and, per BIN, the
medians of wall time, CPU time (user+sys), system time, minor page faults
and peak RSS, with the wall and CPU ratios to the first BIN. On a shared
machine read the CPU figures first: other processes move the wall time
far more. To give a build an environment, pass a two-line shell script
that execs it (for example GOGC=50 exec ./authctl "$@").
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, path, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    runs = {b: [] for b in bins}
    for r in range(rounds):
        for b in bins if r % 2 == 0 else bins[::-1]:
            d = tempfile.mkdtemp()
            try:
                p = subprocess.run(
                    ["/usr/bin/time", "-f", "%e %U %S %R %M", b, "--db", os.path.join(d, "auth.db"), "apply", "-f", path],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            finally:
                shutil.rmtree(d)
            if p.returncode != 0:
                sys.exit("%s failed:\n%s" % (b, p.stderr[-500:]))
            wall, user, sys_s, faults, rss = map(float, p.stderr.strip().split("\n")[-1].split())
            runs[b].append((wall, user + sys_s, sys_s, faults, rss / 1024))
            print(r, b, wall, user + sys_s, sys_s, int(faults), int(rss), file=sys.stderr, flush=True)
    base = None
    for b in bins:
        med = [statistics.median(c) for c in zip(*runs[b])]
        base = base or med
        print("%-24s wall %.2f s  cpu %.2f s  sys %.2f s  faults %6.0f  rss %5.1f MiB | wall %.3fx  cpu %.3fx"
              % (os.path.basename(b), *med, med[0] / base[0], med[1] / base[1]))


if __name__ == "__main__":
    main()
