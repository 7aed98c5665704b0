#!/usr/bin/env python3
"""peakmem.py: run a command and report its wall time and peak memory.

    python3 bench/peakmem.py [--stdout FILE] -- COMMAND [ARG...]

Prints one line to stdout:

    wall_s=1.234 maxrss_kib=123456 anon_kib=100000 file_kib=20000 exit=0 cpu_s=1.500

- maxrss_kib: the child's peak resident set size from wait4()'s rusage,
  exactly what "/usr/bin/time -v" reports as "Maximum resident set size"
  (it counts the pages of files the process mapped, such as a bbolt
  database, as well as its own memory);
- anon_kib and file_kib: the largest RssAnon (heap, stacks: the process's
  own memory) and RssFile (mapped file pages) seen in /proc/PID/status,
  sampled every 2 ms, so a short peak may be missed;
- exit: the exit status (a signal's number is reported as 128+N);
- cpu_s: the child's user and system CPU time (wait4()'s rusage): the
  work done, which the load of other processes on a shared machine moves
  far less than the wall time.

The command's stdout goes to FILE (default /dev/null); its stderr is kept.
Linux only.
"""
import os
import subprocess
import sys
import time


def status_kib(pid, keys):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in keys:
                    out[k] = int(v.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return out


def main(argv):
    out_path = os.devnull
    if argv[:1] == ["--stdout"]:
        out_path, argv = argv[1], argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    anon = filek = 0
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out)
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            s = status_kib(p.pid, ("RssAnon", "RssFile"))
            anon = max(anon, s.get("RssAnon", 0))
            filek = max(filek, s.get("RssFile", 0))
            time.sleep(0.002)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    p.returncode = code  # reaped here, not by Popen
    if code < 0:
        code = 128 - code
    print("wall_s=%.3f maxrss_kib=%d anon_kib=%d file_kib=%d exit=%d cpu_s=%.3f" % (wall, ru.ru_maxrss, anon, filek, code, ru.ru_utime + ru.ru_stime))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
