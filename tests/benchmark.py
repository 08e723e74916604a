#!/usr/bin/python3
"""What the plugin costs on top of tshark: wall time and peak memory, with
the plugin against tshark with the plugin disabled, on generated captures.

    RST_BUILD_DIR=build /usr/bin/python3 tests/benchmark.py [--reps 3] CASE ...

CASE is storm:N (tests/gen_capture.py storm --rsts N) or mix:N (gen_capture.py
mix --connections N).  For each, every command pair runs --reps times,
alternating; the table gives the median wall time and peak RSS (with the
spread of the wall times) and the ratios plugin / baseline:

    two passes:  -2 -T fields -e rst.cause   vs  -2 -T fields -e tcp.flags.reset
    one pass:       -T fields -e rst.cause   vs     -T fields -e tcp.flags.reset
    filter:      -Y rst.injected             vs  -Y "tcp.flags.reset == 1"

(the baseline with --disable-protocol rst).  A benchmark, not a test: the
numbers go into docs with the machine they were measured on.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TSHARK = os.path.join(HERE, "tshark.sh")
PAIRS = (
    ("two passes", ["-2", "-T", "fields", "-e", "rst.cause"],
     ["-2", "-T", "fields", "-e", "tcp.flags.reset"]),
    ("one pass", ["-T", "fields", "-e", "rst.cause"], ["-T", "fields", "-e", "tcp.flags.reset"]),
    ("filter", ["-Y", "rst.injected"], ["-Y", "tcp.flags.reset == 1"]),
)


def generate(case, work):
    kind, n = case.split(":")
    path = os.path.join(work, "%s-%s.pcap" % (kind, n))
    if not os.path.exists(path):
        flag = "--rsts" if kind == "storm" else "--connections"
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_capture.py"), kind, path,
                        flag, n], check=True, stdout=subprocess.DEVNULL)
    frames = int(re.search(r"Number of packets:\s+(\d+)", subprocess.run(
        ["capinfos", "-M", "-c", path], capture_output=True, text=True).stdout).group(1))
    return path, frames


def measure(path, args):
    """(wall seconds, peak RSS in KiB) of one tshark run."""
    run = subprocess.run(["/usr/bin/time", "-f", "@@ %e %M", TSHARK, "-r", path] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"@@ ([\d.]+) (\d+)", run.stderr)
    if run.returncode or not m:
        raise SystemExit("tshark failed: %s" % run.stderr[-500:])
    return float(m.group(1)), int(m.group(2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--work", default=tempfile.gettempdir())
    args = ap.parse_args()
    print("| capture | frames | command | plugin s (min-max) | baseline s (min-max) | time ratio "
          "| plugin MiB | baseline MiB | memory ratio | plugin us/frame |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case in args.cases:
        path, frames = generate(case, args.work)
        for name, plugin, baseline in PAIRS:
            runs = {"p": [], "b": []}
            for _ in range(args.reps):
                runs["p"].append(measure(path, plugin))
                runs["b"].append(measure(path, baseline + ["--disable-protocol", "rst"]))
            pt = [t for t, _ in runs["p"]]
            bt = [t for t, _ in runs["b"]]
            pm = statistics.median(m for _, m in runs["p"]) / 1024
            bm = statistics.median(m for _, m in runs["b"]) / 1024
            print("| %s | %d | %s | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.2f | %.0f | %.0f | %.2f "
                  "| %.1f |" % (case, frames, name, statistics.median(pt), min(pt), max(pt),
                                statistics.median(bt), min(bt), max(bt),
                                statistics.median(pt) / statistics.median(bt), pm, bm, pm / bm,
                                statistics.median(pt) * 1e6 / frames), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
