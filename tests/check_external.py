#!/usr/bin/python3
"""The plugin on captures made by other projects (../shared/captures-external):
Zeek, Suricata, Fox-IT, Tripwire.  Their own labels decide what is expected:

 - every capture dissects without error, in one and in two passes, and every
   RST on the wire gets a cause (nothing else does);
 - Zeek conn.log: in a connection Zeek calls REJ (attempt rejected), the
   responder's RSTs are "refused"; in RSTO / RSTR connections (established,
   then reset by the originator / responder) the plugin's rst.sender agrees
   with Zeek on who sent each RST, and none of those RSTs is called injected;
 - Tripwire's golden outputs (testN/stdout.log): every flow its RST/ACK
   injection or window signature detectors flag has an injected RST;
 - Suricata bug-3286 (pkt_invalid_timestamp on the forged RST, pcap_cnt 2) and
   Zeek's rst-after-syn test ("the injected RST packet", frame 2): injected;
 - Suricata bug-6244 (its rule sid 1 matches the one RST whose payload is
   exactly "Access Denied"): that RST's stated reason is RFC 1122 text
   "Access Denied", and no other RST states one.

    RST_BUILD_DIR=build /usr/bin/python3 tests/check_external.py
The corpus is found at $RST_EXTERNAL_DIR or ../shared/captures-external next
to the checkout; without it the tests are skipped, loudly.
"""
import glob
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TSHARK = os.path.join(HERE, "tshark.sh")
CORPUS = os.environ.get("RST_EXTERNAL_DIR",
                        os.path.join(os.path.dirname(ROOT), "shared", "captures-external"))
FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
          "ipv6.dst", "tcp.dstport", "tcp.flags.reset", "icmp.type", "icmpv6.type", "rst.cause",
          "rst.sender", "rst.injected", "rst.impact"]
TRIPWIRE = "lhmerino-censorship-detection-tripwire/testdata"
# Which capture each Tripwire golden test ran on (its SOURCE.md).
TRIPWIRE_TESTS = {"test1": "test1/test.pcap", "test2": "test2/smtp.pcap",
                  "test3": "tripwire-1597963966.pcap", "test4": "tripwire-1597963966.pcap",
                  "test5": "airtel_example.pcap", "test6": "airtel_https_example.pcap"}


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


def is_injected(v):
    return v["rst.injected"] in ("1", "True")


def within(v, row, states_of_tuple):
    """Zeek splits a 4-tuple into connections by time.  Its baselines mask the
    times, so a frame is placed only where all rows of its tuple agree."""
    if row["ts"].startswith("X"):
        return len(states_of_tuple) == 1
    start = float(row["ts"])
    duration = float(row["duration"]) if row.get("duration", "-") != "-" else 0.0
    return start - 0.001 <= float(v["frame.time_epoch"]) <= start + duration + 0.001


def tripwire_flagged_flows():
    """(capture, {client, server}) of each flow a Tripwire RST detector flags."""
    flows = set()
    for test, pcap in TRIPWIRE_TESTS.items():
        with open(os.path.join(CORPUS, TRIPWIRE, test, "stdout.log")) as fh:
            for line in fh:
                if not line.startswith("{"):
                    continue
                entry = json.loads(line)
                if not any(d.endswith(("_rstacks", "_win")) for d in entry["detectors"]):
                    continue
                col = entry["collector"]
                ends = frozenset({(col["ip"]["src"], col["ports"]["src"]),
                                  (col["ip"]["dst"], col["ports"]["dst"])})
                flows.add((os.path.join(CORPUS, TRIPWIRE, pcap), ends))
    return flows


def same_end(logged, seen):
    """Some Tripwire logs anonymise addresses to their /24 (a.b.c.0)."""
    (laddr, lport), (addr, port) = logged, seen
    if lport != port:
        return False
    if laddr.endswith(".0"):
        return addr.rsplit(".", 1)[0] == laddr.rsplit(".", 1)[0]
    return addr == laddr


def in_flow(v, ends):
    a, b = sorted(ends)
    here = [(v["src"], v["tcp.srcport"]), (v["dst"], v["tcp.dstport"])]
    return (same_end(a, here[0]) and same_end(b, here[1])) or \
        (same_end(a, here[1]) and same_end(b, here[0]))


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
            rows = zeek_conns(path)
            per_tuple = {}
            for row in rows:
                t = frozenset({(row["id.orig_h"], row["id.orig_p"]), (row["id.resp_h"], row["id.resp_p"])})
                per_tuple.setdefault(t, set()).add(row["conn_state"])
            for row in rows:
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
                    if is_live_rst(v) and ends == {orig, resp} \
                            and within(v, row, per_tuple[frozenset({orig, resp})]):
                        yield path, v, row, (v["src"], v["tcp.srcport"]) == orig

    def test_zeek_rejected_attempts_are_refused(self):
        checked = 0
        for path, v, row, from_orig in self.zeek_checks():
            if row["conn_state"] != "REJ" or from_orig:
                continue
            with self.subTest(capture=os.path.relpath(path, CORPUS), frame=v["frame.number"]):
                self.assertEqual(v["rst.cause"], "refused")
                self.assertEqual(v["rst.sender"], "server")
                # A rejected attempt: the connection never existed.
                self.assertEqual(v["rst.impact"], "connection-failed")
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
                # Zeek saw the handshake; where it also missed no bytes, the
                # capture holds the whole connection: its cost is known.
                if row.get("missed_bytes") == "0":
                    self.assertIn(v["rst.impact"], ("none", "data-lost", "connection-failed"))
                checked += 1
        self.assertGreaterEqual(checked, 10)


    def test_zeek_established_connections_hold_no_forged_rst(self):
        checked = 0
        for path, v, row, _ in self.zeek_checks():
            if row["conn_state"] in ("RSTO", "RSTR", "REJ") and not row["history"].startswith("^"):
                with self.subTest(capture=os.path.relpath(path, CORPUS), frame=v["frame.number"]):
                    self.assertFalse(is_injected(v))
                    checked += 1
        self.assertGreaterEqual(checked, 15)   # 19 RSTs in REJ, RSTO, RSTR connections

    def test_every_flow_tripwire_flags_has_an_injected_rst(self):
        flows = tripwire_flagged_flows()
        self.assertGreaterEqual(len(flows), 40)
        for pcap, ends in sorted(flows, key=str):
            (_, frames), _ = self.results[pcap]
            with self.subTest(capture=os.path.relpath(pcap, CORPUS), flow=sorted(ends)):
                rsts = [v for v in frames if is_live_rst(v) and in_flow(v, ends)]
                self.assertTrue(rsts, "no RST in the flow")
                self.assertTrue(any(is_injected(v) for v in rsts))

    def test_forged_rsts_named_by_suricata_and_zeek_are_injected(self):
        named = ["suricata-verify/tests/bug-3286-02-linux-evasion/with_evasion_linux.pcap",
                 "suricata-verify/tests/bug-3286-03-windows-evasion/with_evasion_windows.pcap",
                 "zeek/Traces/tcp/rst-inject-rae.pcap"]
        for rel in named:
            (_, frames), _ = self.results[os.path.join(CORPUS, rel)]
            with self.subTest(capture=rel):
                frame2 = next(v for v in frames if v["frame.number"] == "2")
                self.assertTrue(is_injected(frame2))

    def test_rst_text_matched_by_suricata_is_the_stated_reason(self):
        rel = "suricata-verify/tests/bug-6244-tcp-rst-with-data-02/tcp-rst-with-data.pcap"
        out = subprocess.run([TSHARK, "-r", os.path.join(CORPUS, rel), "-2", "-Y", "rst",
                              "-T", "fields", "-e", "rst.diag.format", "-e", "rst.diag.text",
                              "-e", "rst.explanation"], capture_output=True, text=True,
                             check=True).stdout
        stated = [line.split("\t") for line in out.splitlines() if line.split("\t")[0]]
        self.assertEqual([s[:2] for s in stated], [["text", "Access Denied"]])
        self.assertIn('"Access Denied"', stated[0][2])


if __name__ == "__main__":
    unittest.main(verbosity=2 if "-v" in sys.argv else 1,
                  argv=[sys.argv[0]] + [a for a in sys.argv[1:] if a != "-v"])
