#!/usr/bin/python3
"""Mirror deliveries: the lab's scenarios as a collector receives them.

captures/mirror/NAME.pcapng is a scenario captured at the client's port;
NAME.collector.pcapng is the same run at a collector that receives the
client's link as it is (a local SPAN copy) and through five mirror sessions,
each with one outer header for both directions (captures/README.md): a
Linux VXLAN device fed by tc mirred, Geneve with the Ethernet frame, Geneve
with the IP packet and a gateway load balancer's options, ERSPAN II and
ERSPAN III (captures/lab/mirror.py).  captures/mirror/labels.tsv labels
every RST at the client from how it was made (kernel trace, forger log,
firewall rule) and every RST at the collector with the label of the same
RST at the client (`copy_of`).

Asserted, RST by RST:
 - at the client, every RST gets its label (as tests/check_captures.py);
 - each delivery alone (the collector's frames of one session, selected,
   not rewritten) gives every RST the verdict it has at the client: cause,
   sender, injected, suspicion within 5.  Geneve without Ethernet carries
   no MAC: it is compared with the client's capture read with MAC evidence
   off (-o rst.weight_mac:0), both ways;
 - the whole collector capture (raw and five sessions, one interface) gives
   each sighting that verdict too, links every sighting to the others
   (rst.vantage.peer_frame), proves nothing, and its statistics count every
   RST once.

    RST_BUILD_DIR=build /usr/bin/python3 tests/check_mirror.py [-v]
"""
import collections
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "captures", "lab"))
import check_captures  # noqa: E402
from check_captures import EVIDENCE_FIELD, is_true  # noqa: E402
from run import DELIVERIES, delivery_of  # noqa: E402  (how the lab made them)

MIRROR = os.path.join(ROOT, "captures", "mirror")
TSHARK = os.path.join(HERE, "tshark.sh")
FIELDS = ["frame.number", "rst.cause", "rst.sender", "rst.injected", "rst.suspicion",
          "rst.impact", "rst.explanation", "rst.vantage.peer_frame", "rst.vantage.unseen"] + \
    ["rst.evidence.%s.weight" % f for f in sorted(set(EVIDENCE_FIELD.values()))]
NO_MAC = ["-o", "rst.weight_mac:0"]
SUSPICION_SLACK = 5


def tshark(*args):
    return subprocess.run([TSHARK] + list(args), capture_output=True, text=True,
                          check=True).stdout


def dissect(path, extra=()):
    """frame number -> {field: value}, two passes."""
    args = ["-r", path, "-2", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f",
            "-E", "aggregator=,"] + list(extra)
    for f in FIELDS:
        args += ["-e", f]
    frames = {}
    for line in tshark(*args).splitlines():
        values = dict(zip(FIELDS, line.split("\t")))
        frames[int(values["frame.number"])] = values
    return frames


def deliveries(path):
    """frame number -> how it reached the collector (run.delivery_of)."""
    out = subprocess.run(["tshark", "-r", path, "-T", "fields", "-E", "separator=\t",
                          "-E", "occurrence=f", "-e", "frame.number", "-e", "frame.protocols",
                          "-e", "ip.dst", "-e", "erspan.version"],
                         capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        num, protocols, dst, version = line.split("\t")
        found[int(num)] = delivery_of(protocols, dst, version) if ":ip:" in protocols \
            else "span"
    return found


def scenarios():
    return sorted(f[:-len(".collector.pcapng")] for f in os.listdir(MIRROR)
                  if f.endswith(".collector.pcapng"))


class MirrorTest(unittest.TestCase):
    work = None
    labels = []
    plain = {}           # scenario -> frames at the client
    plain_no_mac = {}
    single = {}          # (scenario, delivery) -> {collector frame: values}
    whole = {}           # scenario -> frames of the whole collector capture
    whole_no_mac = {}

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="rst-mirror-")
        with open(os.path.join(MIRROR, "labels.tsv")) as fh:
            cls.labels = list(csv.DictReader(fh, delimiter="\t"))
        for name in scenarios():
            plain = os.path.join(MIRROR, name + ".pcapng")
            collector = os.path.join(MIRROR, name + ".collector.pcapng")
            cls.plain[name] = dissect(plain)
            cls.plain_no_mac[name] = dissect(plain, NO_MAC)
            cls.whole[name] = dissect(collector)
            cls.whole_no_mac[name] = dissect(collector, NO_MAC)
            by_delivery = collections.defaultdict(list)
            for num, delivery in sorted(deliveries(collector).items()):
                by_delivery[delivery].append(num)
            for delivery in DELIVERIES:
                frames = by_delivery[delivery]
                path = os.path.join(cls.work, "%s.%s.pcapng" % (name, delivery))
                # editcap -r keeps the frames listed, in order, bytes untouched.
                subprocess.run(["editcap", "-r", collector, path] + [str(n) for n in frames],
                               check=True, capture_output=True)
                got = dissect(path, NO_MAC if delivery == "geneve-options" else ())
                cls.single[(name, delivery)] = {frames[n - 1]: v for n, v in got.items()}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def rows(self, delivery):
        return [r for r in self.labels if r["delivery"] == delivery]

    def name_of(self, label):
        return os.path.basename(label["capture"]).split(".")[0]

    def test_the_mirror_lab_holds_every_delivery(self):
        self.assertGreaterEqual(len(scenarios()), 25)
        counts = collections.Counter(r["delivery"] for r in self.labels)
        self.assertEqual(set(counts), set(DELIVERIES) | {"plain"})
        self.assertEqual(len(set(counts.values())), 1, counts)
        self.assertGreaterEqual(counts["plain"], 50)
        self.assertTrue(any(r["injected"] == "yes" for r in self.rows("plain")))

    def test_every_rst_at_the_client_gets_its_label(self):
        for label in self.rows("plain"):
            got = self.plain[self.name_of(label)][int(label["frame"])]
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                self.assertEqual(got["rst.cause"], label["cause"], got["rst.explanation"])
                self.assertEqual(got["rst.impact"], label["impact"], got["rst.explanation"])
                self.assertEqual(is_true(got["rst.injected"]), label["injected"] == "yes")
                for ev in filter(None, label["evidence"].split(",")):
                    self.assertTrue(got["rst.evidence.%s.weight" % EVIDENCE_FIELD[ev]],
                                    "no %s evidence: %s" % (ev, got["rst.explanation"]))
                if label["injected"] != "yes":
                    self.assertEqual(got["rst.suspicion"], "0", got["rst.explanation"])

    def assert_same_verdict(self, got, plain, label):
        self.assertEqual(got["rst.cause"], plain["rst.cause"], got["rst.explanation"])
        self.assertEqual(got["rst.cause"], label["cause"], got["rst.explanation"])
        self.assertEqual(got["rst.impact"], plain["rst.impact"], got["rst.explanation"])
        self.assertEqual(got["rst.impact"], label["impact"], got["rst.explanation"])
        self.assertEqual(got["rst.sender"], plain["rst.sender"])
        self.assertEqual(is_true(got["rst.injected"]), is_true(plain["rst.injected"]))
        self.assertLessEqual(abs(int(got["rst.suspicion"]) - int(plain["rst.suspicion"])),
                             SUSPICION_SLACK,
                             "\nhere:   %s\nclient: %s" % (got["rst.explanation"],
                                                          plain["rst.explanation"]))

    def test_each_delivery_alone_gives_the_client_s_verdict(self):
        checked = collections.Counter()
        for label in self.labels:
            if label["delivery"] == "plain":
                continue
            name, delivery = self.name_of(label), label["delivery"]
            plain = (self.plain_no_mac if delivery == "geneve-options" else self.plain)[name]
            got = self.single[(name, delivery)][int(label["frame"])]
            with self.subTest(capture=label["capture"], frame=label["frame"], delivery=delivery):
                self.assert_same_verdict(got, plain[int(label["copy_of"])], label)
                checked[delivery] += 1
        self.assertEqual(set(checked), set(DELIVERIES))

    def test_mac_evidence_comes_from_the_mirrored_frame(self):
        # The delivery's outer MACs are the mirror source's and the
        # collector's: never evidence.  Inside, the frame keeps the MACs the
        # forger's port put on it.
        for label in self.labels:
            if "mac" not in label["evidence"].split(",") or label["delivery"] == "plain":
                continue
            got = self.single[(self.name_of(label), label["delivery"])][int(label["frame"])]
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                has_mac = bool(got["rst.evidence.mac_mismatch.weight"])
                self.assertEqual(has_mac, label["delivery"] != "geneve-options",
                                 got["rst.explanation"])

    def test_raw_and_mirrored_at_once_each_rst_once(self):
        for name in scenarios():
            rows = [r for r in self.labels if r["capture"] == "mirror/%s.collector.pcapng" % name]
            copies = collections.defaultdict(set)
            for r in rows:
                copies[r["copy_of"]].add(int(r["frame"]))
            for label in rows:
                frame = int(label["frame"])
                no_mac = label["delivery"] == "geneve-options"
                got = (self.whole_no_mac if no_mac else self.whole)[name][frame]
                plain = (self.plain_no_mac if no_mac else self.plain)[name]
                with self.subTest(capture=label["capture"], frame=frame):
                    self.assert_same_verdict(got, plain[int(label["copy_of"])], label)
                    self.assertFalse(got["rst.vantage.unseen"], got["rst.explanation"])
                    others = copies[label["copy_of"]] - {frame}
                    self.assertIn(int(got["rst.vantage.peer_frame"] or 0), others)
            tree = tshark("-r", os.path.join(MIRROR, name + ".collector.pcapng"), "-2", "-q",
                          "-z", "rst,tree")
            m = re.search(r"(?m)^RSTs\s+(\d+)", tree)
            with self.subTest(capture=name, statistics=True):
                self.assertEqual(int(m.group(1)) if m else 0, len(copies))


if __name__ == "__main__":
    unittest.main(verbosity=2 if "-v" in sys.argv else 1,
                  argv=[sys.argv[0]] + [a for a in sys.argv[1:] if a != "-v"])
