#!/usr/bin/python3
"""Odd captures: link layers without MACs, VLAN and QinQ tags, tunnels mixed
with the traffic they carry (GRE keys too), fragmented packets, small snap
lengths, duplicated frames, captures that start mid-connection, a RST storm
and a capture of many connections.

    RST_BUILD_DIR=build /usr/bin/python3 tests/check_odd.py [-v]

The lab captures (cooked, loopback, raw IP, IPv6 extension headers, sequence
numbers wrapping, a reused port pair, reordered segments) are labelled in
captures/labels.tsv and checked by check_captures.py like every other lab
capture; this file checks what that cannot: the captures derived from them by
tests/odd_captures.py (each derived RST keeps the label of the RST it came
from) and the generated ones of tests/gen_capture.py (labelled by how the
generator built them).
"""
import collections
import concurrent.futures
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import odd_captures  # noqa: E402
import check_captures  # noqa: E402
from check_captures import EVIDENCE_FIELD, is_true  # noqa: E402
from pcapio import LINKTYPE_NULL, linktype, read_pcap  # noqa: E402

ROOT = os.path.dirname(HERE)
CAPTURES = os.path.join(ROOT, "captures")
TSHARK = os.path.join(HERE, "tshark.sh")
FIELDS = ["frame.number", "frame.cap_len", "tcp.flags.reset", "icmp.type", "icmpv6.type",
          "rst.cause", "rst.injected",
          "rst.suspicion", "rst.explanation", "rst.evidence.mac_mismatch"] + \
    ["rst.evidence.%s.weight" % f for f in sorted(set(EVIDENCE_FIELD.values()))]
STORM_RSTS = 200000
MIX_CONNECTIONS = 3000
SCAN_CONNECTIONS = 30000      # the benchmark's sizes are a million (tests/benchmark.py)
FLOOD_SYNS = 30000
ACK_PROBES = 30000
COLLIDING = 5000


def dissect(path):
    """frame number -> {field: value}, two passes."""
    return check_captures.dissect(path, True, FIELDS)


def rst_frames(path):
    """frame number -> (cause, injected, suspicion) for every RST, two passes."""
    out = subprocess.run([TSHARK, "-r", path, "-2", "-Y", "tcp.flags.reset == 1", "-T",
                          "fields", "-E", "separator=\t", "-e", "frame.number", "-e",
                          "rst.cause", "-e", "rst.injected", "-e", "rst.suspicion"],
                         capture_output=True, text=True, check=True).stdout
    got = {}
    for line in out.splitlines():
        n, cause, injected, suspicion = line.split("\t")
        got[int(n)] = (cause, is_true(injected), suspicion)
    return got


def read_labels(path):
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


class OddCaptureTest(unittest.TestCase):
    work = None
    made = {}
    labels = []
    got = {}

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="rst-odd-")
        made = odd_captures.derive(cls.work)
        cls.labels = odd_captures.write_labels(cls.work, made)
        cls.made = {name: (source, fmap, what) for name, source, fmap, what in made}
        paths = [os.path.join(cls.work, name) for name in cls.made]
        paths += [os.path.join(CAPTURES, c) for c in
                  ("loopback.pcapng", "raw-ip.pcapng", "server-side/raw-ip.pcapng")]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            for path, frames in zip(paths, pool.map(dissect, paths)):
                cls.got[os.path.relpath(path, cls.work) if path.startswith(cls.work)
                        else os.path.relpath(path, CAPTURES)] = frames

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def labelled(self, prefix):
        rows = [r for r in self.labels if r["capture"].startswith(prefix)]
        self.assertTrue(rows, prefix)
        return rows

    def assert_label(self, label):
        got = self.got[label["capture"]][int(label["frame"])]
        self.assertEqual(got["rst.cause"], label["cause"], got["rst.explanation"])
        self.assertEqual(is_true(got["rst.injected"]), label["injected"] == "yes")
        for ev in filter(None, label["evidence"].split(",")):
            self.assertTrue(got["rst.evidence.%s.weight" % EVIDENCE_FIELD[ev]],
                            "no %s evidence: %s" % (ev, got["rst.explanation"]))
        if label["injected"] != "yes":
            self.assertEqual(got["rst.suspicion"], "0", got["rst.explanation"])

    def test_vlan_qinq_and_bsd_loopback_framing_change_nothing(self):
        for prefix in ("vlan.pcap", "qinq.pcap", "null-link.pcap"):
            for label in self.labelled(prefix):
                with self.subTest(capture=label["capture"], frame=label["frame"]):
                    self.assert_label(label)

    def test_each_tunnel_is_its_own_connection(self):
        # The capture, then the same packets inside tunnel A, then inside
        # tunnel B: one inner address pair, three connections.  Mixed up, the
        # copies would read as retransmissions and late packets of the first.
        for prefix in ("gre-mixed.pcap", "ipip-mixed.pcap", "gre-key-mixed.pcap"):
            rows = self.labelled(prefix)
            self.assertEqual(len(rows), 3 * len(self.labelled("vlan.pcap")))
            for label in rows:
                with self.subTest(capture=label["capture"], frame=label["frame"]):
                    self.assert_label(label)

    def test_fragmented_packets_change_nothing(self):
        # The TCP header of a later fragment (and a tunnel's headers around
        # it) is in the reassembled packet.
        for prefix in ("fragments.pcap", "fragments-mtu.pcap"):
            for label in self.labelled(prefix):
                with self.subTest(capture=label["capture"], frame=label["frame"]):
                    self.assert_label(label)

    def test_duplicated_frames_get_the_verdict_of_the_original(self):
        for label in self.labelled("duplicates.pcap"):
            with self.subTest(frame=label["frame"]):
                self.assert_label(label)

    def test_no_mac_evidence_without_source_macs(self):
        # Raw IP and BSD loopback frames carry no MAC; Linux loopback frames
        # carry all-zero ones.  MAC evidence is absent, never a "mismatch".
        for cap in ("loopback.pcapng", "raw-ip.pcapng", "server-side/raw-ip.pcapng",
                    "null-link.pcap"):
            rsts = [f for f in self.got[cap].values() if f["rst.cause"]]
            self.assertGreaterEqual(len(rsts), 2, cap)
            for f in rsts:
                with self.subTest(capture=cap, frame=f["frame.number"]):
                    self.assertEqual(f["rst.evidence.mac_mismatch"], "")
        header, _ = read_pcap(os.path.join(self.work, "null-link.pcap"))
        self.assertEqual(linktype(header), LINKTYPE_NULL)

    def test_small_snap_lengths(self):
        # A RST whose TCP header was captured as far as its flags gets its
        # labelled verdict (window, options and payload may be gone: no
        # evidence is read from bytes that are not there); one cut before its
        # flags gets none.  A RST whose stated reason was cut off says so.
        header, frames = read_pcap(os.path.join(self.work, "tour.pcap"))
        checked = {"verdict": 0, "none": 0, "cut reason": 0}
        for snaplen in odd_captures.SNAPLENS:
            cap = "snap%d.pcap" % snaplen
            for label in self.labelled(cap):
                frame = int(label["frame"])
                data = frames[frame - 1][2]
                got = self.got[cap][frame]
                with self.subTest(capture=cap, frame=frame):
                    if odd_captures.tcp_header_end(data) - 6 > snaplen:   # flags: byte 13
                        self.assertEqual(got["rst.cause"], "")
                        checked["none"] += 1
                    elif label["stated"] and snaplen < len(data):
                        self.assertFalse(is_true(got["rst.injected"]))
                        self.assertIn("cut off", got["rst.explanation"])
                        checked["cut reason"] += 1
                    else:
                        self.assertEqual(got["rst.cause"], label["cause"], got["rst.explanation"])
                        self.assertEqual(is_true(got["rst.injected"]), label["injected"] == "yes")
                        checked["verdict"] += 1
        self.assertTrue(all(checked.values()), checked)

    def test_captures_that_start_mid_connection(self):
        # Honest "unknown", or a hedged verdict (the explanation says the
        # capture starts mid-connection; a reply is then read as the broader
        # no-connection), never a confident wrong one.  A genuine RST is never
        # called forged; a forged one is called forged, unknown, or what it
        # imitates (with the evidence cut away, nothing on the wire tells it
        # from the real thing).
        outcomes = collections.Counter()
        for label in self.labelled("cut-"):
            got = self.got[label["capture"]][int(label["frame"])]
            cause, injected = got["rst.cause"], is_true(got["rst.injected"])
            hedged = "mid-connection" in got["rst.explanation"]
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                if label["injected"] == "yes":
                    self.assertTrue(injected or cause in ("unknown", label["face_value"]),
                                    got["rst.explanation"])
                else:
                    self.assertFalse(injected, got["rst.explanation"])
                    self.assertTrue(cause in (label["cause"], "unknown")
                                    or (hedged and cause == "no-connection"),
                                    got["rst.explanation"])
                outcomes["same" if cause == label["cause"] else cause] += 1
        self.assertGreater(outcomes["same"], outcomes["unknown"])
        self.assertGreater(outcomes["unknown"], 10)

    def test_only_rsts_get_a_verdict_and_every_rst_is_labelled(self):
        for name in self.made:
            labelled = {int(r["frame"]) for r in self.labels if r["capture"] == name}
            for num, f in self.got[name].items():
                with self.subTest(capture=name, frame=num):
                    if f["rst.cause"]:
                        self.assertIn(num, labelled)
                        if not name.startswith("snap"):     # Wireshark's TCP needs 20 bytes
                            self.assertTrue(any(map(is_true, f["tcp.flags.reset"].split(","))))
                    elif (is_true(f["tcp.flags.reset"]) and not f["icmp.type"]
                          and not f["icmpv6.type"] and not name.startswith("snap")):
                        self.fail("an unlabelled RST without verdict")


class GeneratedCaptureTest(unittest.TestCase):
    """Captures written by tests/gen_capture.py: labels from how they were built."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="rst-gen-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def generate(self, kind, *args):
        path = os.path.join(self.work, kind + ".pcap")
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_capture.py"), kind, path]
                       + list(args), check=True, stdout=subprocess.DEVNULL)
        labels = {int(r["frame"]): r for r in read_labels(path + ".labels.tsv")}
        return path, labels

    def assert_all(self, path, labels):
        got = rst_frames(path)
        self.assertEqual(set(got), set(labels))
        wrong = [(n, labels[n]["cause"], got[n]) for n in sorted(got)
                 if got[n][0] != labels[n]["cause"] or got[n][1] != (labels[n]["injected"] == "yes")
                 or (labels[n]["injected"] == "no" and got[n][2] != "0")]
        self.assertEqual(wrong[:10], [])
        return got

    def test_many_connections(self):
        path, labels = self.generate("mix", "--connections", str(MIX_CONNECTIONS))
        got = self.assert_all(path, labels)
        causes = collections.Counter(c for c, _, _ in got.values())
        self.assertEqual(set(causes), {"refused", "abort", "no-connection", "injected"})

    def test_rst_storm(self):
        path, labels = self.generate("storm", "--rsts", str(STORM_RSTS))
        self.assertEqual(len(labels), STORM_RSTS)
        self.assert_all(path, labels)
        # The statistic counts the same, from the plugin's tap.
        tree = subprocess.run([TSHARK, "-r", path, "-2", "-q", "-z", "rst,tree"],
                              capture_output=True, text=True, check=True).stdout
        counts = {m.group(1): int(m.group(2))
                  for m in re.finditer(r"(?m)^\s+(refused|no-connection|injected)\s+(\d+)", tree)}
        self.assertEqual(counts.get("refused"), STORM_RSTS // 2)
        self.assertEqual(counts.get("no-connection"), STORM_RSTS - STORM_RSTS // 2)
        self.assertNotIn("injected", counts)

    def test_port_scan(self):
        # Every refusal has its cause; the few an injector forged in the
        # scanned hosts' names (open ports: the host's SYN-ACK follows) are
        # found among the thousands of real ones.
        path, labels = self.generate("scan", "--connections", str(SCAN_CONNECTIONS))
        got = self.assert_all(path, labels)
        causes = collections.Counter(c for c, _, _ in got.values())
        forged = SCAN_CONNECTIONS // 4999
        self.assertEqual(causes, {"refused": SCAN_CONNECTIONS - forged, "injected": forged,
                                  "no-connection": forged})

    def test_colliding_scan(self):
        # Tuples chosen to collide in an unkeyed table (tests/unit/collide.c;
        # the unit test proves they do, the benchmark that the time per
        # packet stays flat): every refusal still has its cause.
        path, labels = self.generate("collide", "--connections", str(COLLIDING))
        self.assertEqual(len(labels), COLLIDING)
        self.assert_all(path, labels)

    def test_ack_scan(self):
        # Probes without a handshake (nmap -sA), each answered by a host
        # that has no connection for it: every answer no-connection, none
        # suspect.
        path, labels = self.generate("ackscan", "--connections", str(ACK_PROBES))
        self.assertEqual(len(labels), ACK_PROBES)
        self.assert_all(path, labels)

    def test_rsts_alone(self):
        # The same scan's RSTs alone, as a capture filter for RSTs keeps
        # them: nothing they answer was captured, so the capture cannot
        # tell their cause (unknown), and nothing makes them suspect.
        path, labels = self.generate("rsts", "--connections", str(ACK_PROBES))
        self.assertEqual(len(labels), ACK_PROBES)
        got = rst_frames(path)
        self.assertEqual(set(got), set(labels))
        self.assertEqual(set(got.values()), {("unknown", False, "0")})

    def test_syn_flood(self):
        # Spoofed SYNs, every one a new connection, never answered: no RST,
        # no verdict, and the plugin's statistic counts none.
        path, labels = self.generate("flood", "--connections", str(FLOOD_SYNS))
        self.assertEqual(labels, {})
        self.assertEqual(rst_frames(path), {})
        out = subprocess.run([TSHARK, "-r", path, "-Y", "rst", "-T", "fields", "-e",
                              "frame.number"], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout, "")


if __name__ == "__main__":
    unittest.main()
