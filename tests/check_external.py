#!/usr/bin/python3
"""The plugin on captures made by other projects (../shared/captures-external):
Zeek, Suricata, Fox-IT, Tripwire.  Their own labels decide what is expected:

 - every capture dissects without error, in one and in two passes, and every
   RST on the wire gets a cause (nothing else does);
 - Zeek conn.log: in a connection Zeek calls REJ (attempt rejected), the
   responder's RSTs are "refused"; in RSTO / RSTR connections (established,
   then reset by the originator / responder) the plugin's rst.sender agrees
   with Zeek on who sent each RST.

    RST_BUILD_DIR=build /usr/bin/python3 tests/check_external.py
The corpus is found at $RST_EXTERNAL_DIR or ../shared/captures-external next
to the checkout; without it the tests are skipped, loudly.
"""
import glob
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TSHARK = os.path.join(HERE, "tshark.sh")
CORPUS = os.environ.get("RST_EXTERNAL_DIR",
                        os.path.join(os.path.dirname(ROOT), "shared", "captures-external"))
FIELDS = ["frame.number", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
          "tcp.dstport", "tcp.flags.reset", "icmp.type", "icmpv6.type", "rst.cause",
          "rst.sender"]


def captures():
    found = []
    for pattern in ("**/*.pcap", "**/*.pcapng"):
        found += [p for p in glob.glob(os.path.join(CORPUS, pattern), recursive=True)
                  if os.path.isfile(p)]
    return sorted(found)


def dissect(path, two_pass):
    args = [TSHARK, "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=l"]
    if two_pass:
        args.append("-2")
    for f in FIELDS:
        args += ["-e", f]
    run = subprocess.run(args, capture_output=True, text=True)
    frames = []
    for line in run.stdout.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        v["src"] = v["ipv6.src"] or v["ip.src"]
        v["dst"] = v["ipv6.dst"] or v["ip.dst"]
        frames.append(v)
    return run, frames


def is_live_rst(v):
    return v["tcp.flags.reset"] in ("1", "True") and not v["icmp.type"] and not v["icmpv6.type"]


def zeek_conns(capture):
    """Rows of every full Zeek conn.log baseline of a capture."""
    rows = []
    for log in glob.glob(capture + ".baseline/*/conn*.log"):
        fields = None
        with open(log) as fh:
            for line in fh:
                if line.startswith("#fields"):
                    fields = line.rstrip("\n").split("\t")[1:]
                elif not line.startswith("#") and fields and "conn_state" in fields:
                    rows.append(dict(zip(fields, line.rstrip("\n").split("\t"))))
    return rows


@unittest.skipUnless(os.path.isdir(CORPUS), "external corpus not found at " + CORPUS)
class ExternalCaptures(unittest.TestCase):
    results = {}

    @classmethod
    def setUpClass(cls):
        for path in captures():
            cls.results[path] = (dissect(path, True), dissect(path, False))

    def test_corpus_is_there(self):
        self.assertGreaterEqual(len(self.results), 60)

    def test_every_capture_dissects_and_every_rst_gets_a_cause(self):
        for path, passes in self.results.items():
            for (run, frames), mode in zip(passes, ("two-pass", "one-pass")):
                with self.subTest(capture=os.path.relpath(path, CORPUS), mode=mode):
                    self.assertEqual(run.returncode, 0, run.stderr[-500:])
                    for v in frames:
                        if is_live_rst(v):
                            self.assertNotEqual(v["rst.cause"], "", "frame " + v["frame.number"])
                        else:
                            self.assertEqual(v["rst.cause"], "", "frame " + v["frame.number"])

    def zeek_checks(self):
        """(capture, frame values, conn row) for each RST of a Zeek connection."""
        for path, ((_, frames), _) in self.results.items():
            seen = set()
            for row in zeek_conns(path):
                key = (row["id.orig_h"], row["id.orig_p"], row["id.resp_h"], row["id.resp_p"],
                       row["conn_state"])
                if row.get("proto") != "tcp" or key in seen \
                        or row["conn_state"] not in ("REJ", "RSTO", "RSTR"):
                    continue
                seen.add(key)
                orig = (row["id.orig_h"], row["id.orig_p"])
                resp = (row["id.resp_h"], row["id.resp_p"])
                for v in frames:
                    ends = {(v["src"], v["tcp.srcport"]), (v["dst"], v["tcp.dstport"])}
                    if is_live_rst(v) and ends == {orig, resp}:
                        yield path, v, row, (v["src"], v["tcp.srcport"]) == orig

    def test_zeek_rejected_attempts_are_refused(self):
        checked = 0
        for path, v, row, from_orig in self.zeek_checks():
            if row["conn_state"] != "REJ" or from_orig:
                continue
            with self.subTest(capture=os.path.relpath(path, CORPUS), frame=v["frame.number"]):
                self.assertEqual(v["rst.cause"], "refused")
                self.assertEqual(v["rst.sender"], "server")
                checked += 1
        self.assertGreaterEqual(checked, 6)   # pop3.pcap: 3 connections, 6 RSTs

    def test_zeek_and_the_plugin_agree_on_who_reset(self):
        checked = 0
        for path, v, row, from_orig in self.zeek_checks():
            history = row.get("history", "")
            if row["conn_state"] not in ("RSTO", "RSTR") or history.startswith("^") \
                    or "S" not in history or "h" not in history:
                continue
            with self.subTest(capture=os.path.relpath(path, CORPUS), frame=v["frame.number"]):
                self.assertEqual(v["rst.sender"], "client" if from_orig else "server")
                checked += 1
        self.assertGreaterEqual(checked, 10)


if __name__ == "__main__":
    unittest.main(verbosity=2 if "-v" in sys.argv else 1,
                  argv=[sys.argv[0]] + [a for a in sys.argv[1:] if a != "-v"])
