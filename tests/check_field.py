#!/usr/bin/python3
"""The field corpus: every RST in captures nobody here made, against a reviewed
expectation (captures/field/expected.tsv).

The captures are the steering repository's external corpus
(../shared/captures-external, captures/field/SOURCES.md says why they are not
copied here).  Each row of expected.tsv names a capture, its frames (a list
of numbers and ranges), the verdict expected for each of them (cause, claimed
sender, injected, suspicion) and a one-line reason: the upstream label where
there is one (Zeek conn.log, Tripwire's flagged flows, Suricata's test), else
what the packets show.  tests/check_external.py holds the upstream labels to
account; this test holds every verdict, so that a change of any verdict on
a capture from the field fails until expected.tsv is reviewed again.

    RST_BUILD_DIR=build /usr/bin/python3 tests/check_field.py
The corpus is found at $RST_EXTERNAL_DIR or ../shared/captures-external next
to the checkout; without it the test is skipped, loudly.
"""
import csv
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from check_captures import tshark  # noqa: E402
from check_external import CORPUS, captures  # noqa: E402

EXPECTED = os.path.join(os.path.dirname(HERE), "captures", "field", "expected.tsv")
FIELDS = ["frame.number", "rst.cause", "rst.sender", "rst.injected", "rst.suspicion"]


def frame_list(text):
    """"2,4,10-13" -> [2, 4, 10, 11, 12, 13]"""
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += range(int(lo), int(hi or lo) + 1)
    return out


def load_expected():
    """(capture, frame) -> row"""
    expected = {}
    with open(EXPECTED) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for frame in frame_list(row["frames"]):
                key = (row["capture"], frame)
                if key in expected:
                    raise SystemExit("%s: frame %d listed twice" % key)
                expected[key] = row
    return expected


def verdicts(path):
    """frame -> (cause, sender, injected, suspicion) for every RST (two passes)."""
    args = ["-r", path, "-2", "-Y", "rst", "-T", "fields", "-E", "separator=\t"]
    for f in FIELDS:
        args += ["-e", f]
    found = {}
    for line in tshark(*args).splitlines():
        frame, cause, sender, injected, suspicion = line.split("\t")
        found[int(frame)] = (cause, sender, "yes" if injected in ("1", "True") else "no",
                             suspicion)
    return found


@unittest.skipUnless(os.path.isdir(CORPUS), "external corpus not found at %s" % CORPUS)
class FieldTest(unittest.TestCase):
    def test_every_row_has_a_reason(self):
        for (capture, frame), row in load_expected().items():
            with self.subTest(capture=capture, frame=frame):
                self.assertTrue(row["reason"].strip())

    def test_every_rst_gets_its_reviewed_verdict(self):
        expected = load_expected()
        seen = set()
        for path in captures():
            capture = os.path.relpath(path, CORPUS)
            for frame, got in sorted(verdicts(path).items()):
                seen.add((capture, frame))
                row = expected.get((capture, frame))
                with self.subTest(capture=capture, frame=frame):
                    self.assertIsNotNone(row, "a RST with no reviewed verdict: %s" % (got,))
                    want = (row["cause"], row["sender"], row["injected"], row["suspicion"])
                    self.assertEqual(got, want, row["reason"])
        # Nothing reviewed that the plugin no longer calls a RST.
        self.assertEqual(sorted(set(expected) - seen), [])


if __name__ == "__main__":
    if not os.path.isdir(CORPUS):
        print("check_field: SKIPPED, no external corpus at " + CORPUS, file=sys.stderr)
    unittest.main()
