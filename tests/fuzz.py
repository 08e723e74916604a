#!/usr/bin/python3
"""Hostile input for the plugin, under AddressSanitizer, UndefinedBehaviorSanitizer
and valgrind.

    RST_BUILD_DIR=build /usr/bin/python3 tests/fuzz.py [--count N] [--seed S]
                                                      [--valgrind K] [--jobs J]

1. Builds the plugin and the core's random-input test with -fsanitize=address,
   undefined (-fno-sanitize-recover: any finding aborts) in $RST_BUILD_DIR/asan.
2. Runs that test (tests/unit/fuzz_core.c) with leak detection on.
3. Makes N mutated captures from every capture in captures/: editcap -E at
   several error rates, header-aware mutations of IP and TCP fields, cut
   frames, duplicated, dropped and swapped frames, and randpkt output; runs
   tshark on each, two passes with -V and one pass with the rst fields, with
   the sanitizer runtime preloaded and WIRESHARK_ABORT_ON_DISSECTOR_BUG=1.
4. Runs K of them under valgrind with the ordinary build.

A finding counts against the plugin when its stack passes through rst.so; a
crash is then checked again with the plugin disabled, and one that Wireshark
has without the plugin is reported as Wireshark's, not ours.  Inputs that
fail are kept in $RST_BUILD_DIR/fuzz-failures.  Exit status 1 if the plugin
had any finding.
"""
import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapio import read_pcap, write_pcap  # noqa: E402
import odd_captures  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("RST_BUILD_DIR", os.path.join(ROOT, "build")))
ASAN_BUILD = os.path.join(BUILD, "asan")
WITH_PLUGIN = os.path.join(HERE, "with-plugin.sh")
SANITIZE = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
ERROR_RATES = (0.002, 0.01, 0.05, 0.2)
RANDPKT_TYPES = ("tcp", "ip", "ipv6", "icmp", "eth")
FINDING = re.compile(r"ERROR: AddressSanitizer|runtime error:|Dissector bug|"
                     r"\[rst (?:WARNING|CRITICAL|ERROR)\]|LeakSanitizer")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def build_sanitized():
    subprocess.run(["cmake", "-S", ROOT, "-B", ASAN_BUILD, "-DCMAKE_BUILD_TYPE=Debug",
                    "-DCMAKE_C_FLAGS=%s -O1" % SANITIZE], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", ASAN_BUILD, "-j%d" % os.cpu_count(), "--target", "rst",
                    "fuzz_core"], check=True, stdout=subprocess.DEVNULL)


def sanitizer_env():
    libs = [run(["gcc", "-print-file-name=lib%s.so" % n]).stdout.strip() for n in ("asan", "ubsan")]
    return dict(os.environ, RST_BUILD_DIR=ASAN_BUILD, LD_PRELOAD=" ".join(libs),
                ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1",
                UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1",
                WIRESHARK_ABORT_ON_DISSECTOR_BUG="1")


# ------------------------------------------------------------ mutations

def header_offsets(data):
    """Offsets of the fields worth breaking in an Ethernet / IP / TCP frame."""
    offs = list(range(12, 14))                     # EtherType
    if len(data) < 34:
        return offs
    if data[14] >> 4 == 4:
        ip, ihl = 14, (data[14] & 15) * 4
        offs += [ip, ip + 2, ip + 3, ip + 6, ip + 8, ip + 9]   # version/IHL, length, flags, TTL, proto
        tcp = ip + max(ihl, 20)
    elif data[14] >> 4 == 6:
        ip = 14
        offs += [ip, ip + 4, ip + 5, ip + 6, ip + 7]           # version, payload length, next hdr, hop limit
        tcp = ip + 40
    else:
        return offs
    offs += [tcp + i for i in (0, 2, 4, 7, 8, 11, 12, 13, 14, 20, 21, 22)]  # ports, seq, ack, offset, flags, window, options
    if len(data) > tcp + 13 and data[tcp + 13] & 0x04:
        # A RST: every byte of its options (MP_TCPRST, MP_FASTCLOSE: kind,
        # length, subtype) and the start of its payload (magic numbers, CBOR
        # heads, F5's "BIG-IP: [0x...]"), where its statements are read.
        end = tcp + max(20, (data[tcp + 12] >> 4) * 4)
        offs += list(range(tcp + 20, end)) + list(range(end, end + 16))
    return [o for o in offs if o < len(data)]


def mutate_headers(frames, rng):
    """Damage IP and TCP header fields, cut frames, duplicate, drop and swap them."""
    out = []
    for frame in frames:
        sec, usec, data, orig = frame[0], frame[1], bytearray(frame[2]), frame[3]
        roll = rng.random()
        if roll < 0.25 and data:
            for _ in range(rng.randint(1, 4)):
                offs = header_offsets(data)
                o = rng.choice(offs) if offs and rng.random() < 0.8 else rng.randrange(len(data))
                data[o] = rng.choice((0, 0xFF, rng.randrange(256), data[o] ^ (1 << rng.randrange(8))))
        elif roll < 0.32 and data:
            data = data[:rng.randrange(len(data))]          # a short snap length
        elif roll < 0.36:
            usec = (usec + rng.randrange(-2000000, 2000000)) % 1000000   # time out of order
        if roll > 0.97:
            continue                                        # dropped
        out.append([sec, usec, data, orig])
        if 0.94 < roll <= 0.97:
            out.append([sec, usec, bytearray(data), orig])  # duplicated
    for _ in range(len(out) // 20):
        i, j = rng.randrange(len(out)), rng.randrange(len(out))
        out[i], out[j] = out[j], out[i]                     # reordered
    return out


def make_inputs(count, seed, work):
    sources = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcapng"))
                     + glob.glob(os.path.join(ROOT, "captures", "server-side", "*.pcapng")))
    rng = random.Random(seed)
    pcaps = {}
    for src in sources:
        dst = os.path.join(work, "src-" + os.path.basename(src).replace(".pcapng", ".pcap"))
        if run(["editcap", "-F", "pcap", src, dst]).returncode == 0:
            pcaps[src] = dst
    # A capture editcap cannot rewrite (e.g. one with no packets, whose link
    # type is unknown) has nothing to mutate.
    sources = [src for src in sources if src in pcaps]
    # The odd captures derived from them (tags, tunnels, BSD loopback, cut
    # frames, copies) take the plugin down other paths.
    odd = os.path.join(work, "odd")
    os.makedirs(odd, exist_ok=True)
    for name, _source, _fmap, _what in odd_captures.derive(odd):
        if name.startswith(("vlan", "qinq", "gre", "ipip", "null", "snap60", "duplicates")):
            path = os.path.join(odd, name)
            sources.append(path)
            pcaps[path] = path
    inputs = []
    for i in range(count):
        src = sources[i % len(sources)]
        name = os.path.join(work, "m%05d-%s" % (i, os.path.basename(src)))
        kind = i % 5
        if kind in (0, 1):
            rate = ERROR_RATES[(i // 5) % len(ERROR_RATES)]
            run(["editcap", "-E", str(rate), "--seed", str(seed + i), src, name], check=True)
            what = "editcap -E %s --seed %d" % (rate, seed + i)
        elif kind in (2, 3) and src in pcaps:
            header, frames = read_pcap(pcaps[src])
            name = name.replace(".pcapng", ".pcap")
            write_pcap(name, header, mutate_headers(frames, rng))
            what = "header mutation"
        else:
            kind_name = RANDPKT_TYPES[(i // 5) % len(RANDPKT_TYPES)]
            name = os.path.join(work, "m%05d-randpkt-%s.pcap" % (i, kind_name))
            run(["randpkt", "-b", "200", "-c", "300", "-t", kind_name, name], check=True)
            what = "randpkt -t " + kind_name
        inputs.append((name, what))
    return inputs


# ------------------------------------------------------------ running

def tshark_runs(path):
    return [["tshark", "-r", path, "-2", "-V"],
            ["tshark", "-r", path, "-T", "fields", "-e", "rst.cause", "-e", "rst.explanation",
             "-e", "rst.diag.text", "-e", "rst.suspicion"]]


def check_one(path, what, env):
    """None, or (whose, command, excerpt) for a finding."""
    for cmd in tshark_runs(path):
        p = subprocess.run([WITH_PLUGIN] + cmd, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, errors="replace", timeout=600)
        if p.returncode >= 0 and not FINDING.search(p.stderr):
            continue
        ours = "rst.so" in p.stderr or "[rst " in p.stderr
        if not ours:
            # Wireshark's own bug, if it happens without the plugin too.
            again = subprocess.run([WITH_PLUGIN] + cmd + ["--disable-protocol", "rst"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   errors="replace", timeout=600)
            ours = again.returncode >= 0 and not FINDING.search(again.stderr)
        excerpt = "\n".join(p.stderr.splitlines()[-25:])
        return ("rst-explain" if ours else "wireshark", "%s (%s): %s" % (
            " ".join(cmd), what, "signal %d" % -p.returncode if p.returncode < 0 else "report"),
            excerpt)
    return None


VALGRIND = ["valgrind", "--error-exitcode=99", "--leak-check=full", "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite", "--num-callers=30"]


def valgrind_one(path):
    """Memcheck records whose stack passes through rst.so."""
    p = subprocess.run([WITH_PLUGIN] + VALGRIND + ["tshark", "-r", path, "-2", "-V"],
                       env=dict(os.environ, RST_BUILD_DIR=BUILD), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, errors="replace", timeout=3600)
    records, current = [], []
    for line in p.stderr.splitlines():
        body = re.sub(r"^==\d+== ?", "", line)
        if not body.strip():
            if current:
                records.append(current)
            current = []
        else:
            current.append(body)
    if current:
        records.append(current)
    return [r for r in records if any("rst.so" in line for line in r)
            and not r[0].startswith(("HEAP SUMMARY", "LEAK SUMMARY", "ERROR SUMMARY"))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=300, help="mutated captures (default 300)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--valgrind", type=int, default=3, help="of them also under valgrind")
    ap.add_argument("--core-rounds", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    args = ap.parse_args()
    start = time.time()

    build_sanitized()
    env = sanitizer_env()
    core = run([os.path.join(ASAN_BUILD, "tests", "fuzz_core"), str(args.core_rounds),
                str(args.seed)], env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1",
                                          UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"))
    print(core.stdout.strip() or core.stderr[-2000:])
    ours = [] if core.returncode == 0 else [("core", core.stderr[-3000:])]

    work = tempfile.mkdtemp(prefix="rst-fuzz-")
    os.chmod(work, 0o755)      # tshark may run as nobody (tests/with-plugin.sh)
    try:
        inputs = make_inputs(args.count, args.seed, work)
        for name, _ in inputs:
            os.chmod(name, 0o644)
        findings = []
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = {pool.submit(check_one, n, w, env): (n, w) for n, w in inputs}
            for fut in concurrent.futures.as_completed(futures):
                found = fut.result()
                if found:
                    findings.append((futures[fut][0],) + found)
        failures = os.path.join(BUILD, "fuzz-failures")
        for path, whose, what, excerpt in findings:
            os.makedirs(failures, exist_ok=True)
            shutil.copy(path, failures)
            print("%s finding: %s\n%s\n" % (whose, what, excerpt))
            if whose == "rst-explain":
                ours.append((what, excerpt))
        vg_findings = []
        for name, what in inputs[:args.valgrind]:
            for record in valgrind_one(name):
                vg_findings.append(record)
                print("valgrind finding (%s):\n%s\n" % (what, "\n".join(record[:20])))
        ours += [("valgrind", "\n".join(r)) for r in vg_findings]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wireshark_own = sum(1 for f in findings if f[1] == "wireshark")
    print("fuzz: %d mutated captures (%d tshark runs), %d under valgrind, core %d rounds; "
          "findings: %d in rst-explain, %d in Wireshark itself; %.0f s"
          % (len(inputs), 2 * len(inputs), min(args.valgrind, len(inputs)), args.core_rounds,
             len(ours), wireshark_own, time.time() - start))
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
