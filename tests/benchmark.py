#!/usr/bin/python3
"""What the plugin costs on top of tshark: wall time, CPU time and peak memory,
with the plugin against tshark with the plugin disabled, on generated captures.

    RST_BUILD_DIR=build /usr/bin/python3 tests/benchmark.py [--reps 3] CASE ...
    RST_BUILD_DIR=build /usr/bin/python3 tests/benchmark.py --instructions CASE ...

CASE is storm:N (tests/gen_capture.py storm --rsts N), mix:N, scan:N,
flood:N, ackscan:N, rsts:N or collide:N (gen_capture.py KIND --connections N:
N connections of that shape), made in --work when missing; KIND:N@F is its first F frames
(editcap), for a curve over one capture.  For each, every command pair runs --reps times, the
plugin and the baseline back to back (which one first alternates); the table
gives the median wall time (with its spread), the median CPU time (user +
system) and peak RSS, and the ratios plugin / baseline as the median of the
back-to-back pairs, with the quartiles of the wall ratios (a machine that
slows down for a while slows both runs of a pair):

    two passes:  -2 -T fields -e rst.cause   vs  -2 -T fields -e tcp.flags.reset
    one pass:       -T fields -e rst.cause   vs     -T fields -e tcp.flags.reset
    filter:      -Y rst.injected             vs  -Y "tcp.flags.reset == 1"
    profile:     -2 -C "RST Analysis" --color  vs  -2 --color (Default profile)
    load:        -q -z io,stat,0 (the GUI's loading pass)

(the baseline with --disable-protocol rst; --only NAME picks pairs).  With --instructions, each command
runs once under valgrind's callgrind instead, and the table gives the
instructions executed, which repeat exactly where wall times vary (use a small
case: callgrind runs some 50 times slower), with tshark's start-up (the same
command on the capture's first frame alone) and the ratio without it: the
ratio per frame, which is what a big capture costs.  --floor adds the
same per-frame ratio for tests/floor.c in the plugin's place: the items
rst.so shows for a port scan's refusal written with no analysis behind
them, what Wireshark itself charges for showing them (meaningful on scan
cases; --only "two passes").  Valgrind counts each
iteration of a rep-prefixed string instruction as an instruction, and glibc
clears and copies blocks over 2 KiB with rep stosb / rep movsb: a calloc'd
megabyte would count a million where the CPU spends some thirty thousand
cycles.  So under callgrind both sides run with glibc's vector loops for all
sizes (GLIBC_TUNABLES, REP_LOOPS_OFF below), whose instructions are counted
as executed.  A benchmark, not a test: the
numbers go into docs with the machine they were measured on.

Targets (docs/performance.md, with where they stand): for connection-heavy
shapes (issue 18), scan:1000000 and flood:1000000 at most 1.05 times the
baseline's time (judged in instructions per frame, --instructions on
scan:20000 and flood:20000, since wall times here vary by a third) and 1.10
times its peak memory, in each command; mix cases no worse than before; the
plugin's bytes per connection in every table.  The floor (--floor) shows how
much of a two-pass ratio Wireshark charges for the items shown, whoever
writes them.
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
DISABLED = ["--disable-protocol", "rst"]
PAIRS = (
    ("two passes", ["-2", "-T", "fields", "-e", "rst.cause"],
     ["-2", "-T", "fields", "-e", "tcp.flags.reset"] + DISABLED),
    ("one pass", ["-T", "fields", "-e", "rst.cause"],
     ["-T", "fields", "-e", "tcp.flags.reset"] + DISABLED),
    ("filter", ["-Y", "rst.injected"], ["-Y", "tcp.flags.reset == 1"] + DISABLED),
    # What the GUI does for its packet list: the "RST Analysis" profile's
    # columns and colouring rules on every frame, against Wireshark's Default
    # profile without the plugin (tshark colours only for a terminal that
    # announces 24-bit colour: COLORTERM below).
    ("profile", ["-2", "-C", "RST Analysis", "--color"], ["-2", "--color"] + DISABLED),
    # What the GUI does while it loads a file: one pass over every frame
    # with neither tree nor columns (it colours and fills in only the rows it
    # shows); a statistic without a filter makes tshark dissect, no more.
    ("load", ["-q", "-z", "io,stat,0"], ["-q", "-z", "io,stat,0"] + DISABLED),
)


def count_frames(path):
    return int(re.search(r"Number of packets:\s+(\d+)", subprocess.run(
        ["capinfos", "-M", "-c", path], capture_output=True, text=True).stdout).group(1))


def generate(case, work):
    """The case's capture, made if missing: (path, frames, connections or
    None).  KIND:N@F is the first F frames of KIND:N (a prefix of one
    capture, for a curve: the connections are the share of N its frames
    hold, connections starting at an even pace)."""
    case, _, prefix = case.partition("@")
    kind, n = case.split(":")
    path = os.path.join(work, "%s-%s.pcap" % (kind, n))
    if not os.path.exists(path):
        flag = "--rsts" if kind == "storm" else "--connections"
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_capture.py"), kind, path,
                        flag, n], check=True, stdout=subprocess.DEVNULL)
    frames = count_frames(path)
    connections = None if kind == "storm" else int(n)
    if prefix:
        whole, path = frames, os.path.join(work, "%s-%s-first-%s.pcap" % (kind, n, prefix))
        if not os.path.exists(path):
            subprocess.run(["editcap", "-r", os.path.join(work, "%s-%s.pcap" % (kind, n)), path,
                            "1-%s" % prefix], check=True, stdout=subprocess.DEVNULL)
        frames = count_frames(path)
        connections = connections and round(connections * frames / whole)
    return path, frames, connections


PIN = []   # --cpu: taskset -c N


def measure(path, args):
    """(wall seconds, CPU seconds, peak RSS in KiB) of one tshark run."""
    run = subprocess.run(PIN + ["/usr/bin/time", "-f", "@@ %e %U %S %M", TSHARK, "-r", path] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, COLORTERM="truecolor"))
    m = re.search(r"@@ ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", run.stderr)
    if run.returncode or not m:
        raise SystemExit("tshark failed: %s" % run.stderr[-500:])
    return float(m.group(1)), float(m.group(2)) + float(m.group(3)), int(m.group(4))


# memset and memcpy as loops of vector instructions at every size (see the
# description above): thresholds for rep stosb / rep movsb no block reaches.
REP_LOOPS_OFF = ("glibc.cpu.x86_rep_stosb_threshold=0xffffffffffff:"
                 "glibc.cpu.x86_rep_movsb_threshold=0xffffffffffff")


def instructions(path, args, build=None):
    """Instructions tshark executes (callgrind), start-up included; build:
    another build folder's plugin (the floor's) instead of RST_BUILD_DIR's."""
    env = dict(os.environ, COLORTERM="truecolor", GLIBC_TUNABLES=REP_LOOPS_OFF)
    if build:
        env["RST_BUILD_DIR"] = build
    with tempfile.TemporaryDirectory() as out:
        os.chmod(out, 0o777)   # tshark runs as nobody under root (with-plugin.sh)
        run = subprocess.run([os.path.join(HERE, "with-plugin.sh"), "valgrind", "--tool=callgrind",
                              "--callgrind-out-file=%s/cg.out" % out, "tshark", "-r", path] + args,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=env)
    m = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode or not m:
        raise SystemExit("callgrind failed: %s" % run.stderr[-500:])
    return int(m.group(1))


def first_frame(path, work):
    """A capture of the case's first frame: tshark's start-up, which a big
    capture makes negligible, measured alone."""
    out = os.path.join(work, os.path.basename(path) + ".first.pcap")
    if not os.path.exists(out):
        subprocess.run(["editcap", "-r", path, out, "1"], check=True, stdout=subprocess.DEVNULL)
    return out


def floor_build():
    """The floor's plugin folder (tests/floor.c), built in RST_BUILD_DIR."""
    build = os.environ.get("RST_BUILD_DIR", os.path.join(HERE, "..", "build"))
    subprocess.run(["cmake", "--build", build, "--target", "rst_floor"], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(os.path.abspath(build), "floor")


def count_instructions(cases, work, floor=None):
    """floor: also the plugin's command with the floor's plugin instead
    (tests/floor.c), per frame against the baseline."""
    extra = " floor per frame |" if floor else ""
    print("| capture | frames | command | plugin instructions | baseline instructions | ratio "
          "| start-up plugin / baseline | ratio per frame |" + extra)
    print("|---|---|---|---|---|---|---|---|" + ("---|" if floor else ""))
    for case in cases:
        path, frames, _ = generate(case, work)
        first = first_frame(path, work)
        for name, plugin, baseline in PAIRS:
            p = instructions(path, plugin)
            b = instructions(path, baseline)
            ps = instructions(first, plugin)
            bs = instructions(first, baseline)
            row = "| %s | %d | %s | %.3f G | %.3f G | %.3f | %.3f G / %.3f G | %.3f |" % (
                case, frames, name, p / 1e9, b / 1e9, p / b, ps / 1e9, bs / 1e9,
                (p - ps) / (b - bs))
            if floor:
                f = instructions(path, plugin, floor) - instructions(first, plugin, floor)
                row += " %.3f |" % (f / (b - bs))
            print(row, flush=True)


def per_connection(connections, extra_kib):
    return "%.0f" % (extra_kib * 1024 / connections) if connections else "-"


def main():
    global PAIRS, PIN
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--work", default=tempfile.gettempdir())
    ap.add_argument("--only", action="append", choices=[p[0] for p in PAIRS],
                    help="run only this command pair (repeatable)")
    ap.add_argument("--instructions", action="store_true",
                    help="count instructions with callgrind instead of timing")
    ap.add_argument("--floor", action="store_true",
                    help="with --instructions: also what the same items cost with no analysis "
                         "(tests/floor.c, a port scan's refusal; RST_FLOOR=minimal: only the "
                         "cause, explanation, suspicion and expert entry)")
    ap.add_argument("--cpu", type=int,
                    help="run every timed command on this CPU alone (taskset): on a shared "
                         "virtual machine the pairs then vary far less")
    args = ap.parse_args()
    if args.cpu is not None:
        PIN = ["taskset", "-c", str(args.cpu)]
    if args.only:
        PAIRS = tuple(p for p in PAIRS if p[0] in args.only)
    if args.instructions:
        count_instructions(args.cases, args.work, floor_build() if args.floor else None)
        return 0
    print("| capture | frames | command | plugin wall s (min-max) | baseline wall s (min-max) "
          "| wall ratio (quartiles) | CPU ratio | plugin MiB | baseline MiB | memory ratio "
          "| plugin bytes / connection | us/frame with plugin |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in args.cases:
        path, frames, connections = generate(case, args.work)
        for name, plugin, baseline in PAIRS:
            pairs = []
            for rep in range(args.reps):
                # Which of the two runs first alternates, so that a machine
                # warming up or slowing down favours neither.
                if rep % 2:
                    b = measure(path, baseline)
                    p = measure(path, plugin)
                else:
                    p = measure(path, plugin)
                    b = measure(path, baseline)
                pairs.append((p, b))
            pt = [p[0] for p, _ in pairs]
            bt = [b[0] for _, b in pairs]
            ratios = sorted(p[0] / b[0] for p, b in pairs)
            wall = statistics.median(ratios)
            quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
            cpu = statistics.median(p[1] / b[1] for p, b in pairs)
            pm = statistics.median(p[2] for p, _ in pairs) / 1024
            bm = statistics.median(b[2] for _, b in pairs) / 1024
            print("| %s | %d | %s | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.2f "
                  "| %.0f | %.0f | %.2f | %s | %.1f |" % (
                      case, frames, name, statistics.median(pt), min(pt), max(pt),
                      statistics.median(bt), min(bt), max(bt), wall, quartiles[0],
                      quartiles[2], cpu, pm, bm, pm / bm,
                      per_connection(connections, (pm - bm) * 1024),
                      statistics.median(pt) * 1e6 / frames), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
