#!/usr/bin/python3
"""Runs tshark with the built plugin on every capture in captures/ and compares
each RST's verdict with captures/labels.tsv, which says how each RST was made
(kernel trace reason, firewall rule, forger log): never the plugin's output.

    RST_BUILD_DIR=build /usr/bin/python3 tests/check_captures.py [-v]
"""
import collections
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from xml.etree import ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CAPTURES = os.path.join(ROOT, "captures")
TSHARK = os.path.join(HERE, "tshark.sh")
WITH_PLUGIN = os.path.join(HERE, "with-plugin.sh")

# Label evidence names (captures/labels.tsv) and their fields.
EVIDENCE_FIELD = {"ttl": "ttl_delta", "mac": "mac_mismatch", "seq0": "seq_zero", "race": "race",
                  "burst_seq": "burst_seq", "burst_window": "burst_window",
                  "burst_ttl": "burst_ttl", "window": "window", "ack": "ack_mismatch",
                  "no_timestamps": "no_timestamps", "timestamp": "timestamp", "ip_id": "ip_id",
                  "timing": "timing", "contradiction": "contradiction"}
# RFC 8684 3.6's MP_TCPRST reason codes.
MPTCP_REASONS = ["Unspecified error", "MPTCP-specific error", "Lack of resources",
                 "Administratively prohibited", "Too much outstanding data",
                 "Unacceptable performance", "Middlebox interference"]
FIELDS = ["frame.number", "tcp.flags.reset", "icmp.type", "icmpv6.type", "rst.cause",
          "rst.face_value", "rst.injected", "rst.suspicion", "rst.sender", "rst.answers",
          "rst.after", "rst.acceptable", "rst.explanation", "rst.diag.format",
          "rst.diag.reason_code", "rst.diag.pen", "rst.diag.text", "rst.impact",
          "rst.impact.bytes", "rst.impact.counted_in", "rst.diag.vendor", "rst.diag.reason",
          "rst.diag.transient", "rst.diag.mptcp_flags", "rst.diag.fastclose",
          "rst.diag.fastclose_by", "rst.diag.f5.location", "rst.diag.f5.peer",
          "rst.wire_cause"] + \
    ["rst.evidence." + f + ".weight" for f in sorted(set(EVIDENCE_FIELD.values()))]
PUBLIC_FIELDS = ["rst.cause", "rst.explanation", "rst.face_value", "rst.suspicion",
                 "rst.injected", "rst.answers", "rst.after", "rst.sender", "rst.acceptable",
                 "rst.acceptable.reason", "rst.evidence", "rst.diag", "rst.diag.format",
                 "rst.diag.reason_code", "rst.diag.pen", "rst.diag.reason", "rst.diag.text",
                 "rst.diag.vendor", "rst.diag.transient", "rst.diag.mptcp_flags",
                 "rst.diag.fastclose", "rst.diag.fastclose_by", "rst.diag.f5.location",
                 "rst.diag.f5.peer"] + \
    ["rst.evidence." + f + sub for f in set(EVIDENCE_FIELD.values()) for sub in ("", ".weight")]


def dissect_with(path, options):
    """frame number -> a few rst.* fields, two passes, with extra tshark options."""
    fields = ["frame.number", "rst.cause", "rst.diag.format", "rst.diag.reason_code",
              "rst.diag.reason", "rst.diag.fastclose"]
    args = ["-r", path, "-2", "-T", "fields", "-E", "separator=\t"] + options
    for f in fields:
        args += ["-e", f]
    frames = {}
    for line in tshark(*args).splitlines():
        values = line.split("\t")
        frames[int(values[0])] = dict(zip(fields, values))
    return frames


def damage_statement(data, fixed_end):
    """Breaks what a RST frame states, in place: every MPTCP reset option's
    length, a CBOR statement's map, an F5 cause's bracket.  Returns which it
    broke ("mptcp", "cbor", "f5"), or None."""
    if fixed_end is None or not data[fixed_end - 7] & 0x04:         # flags: RST
        return None
    tcp = fixed_end - 20
    end = tcp + (data[tcp + 12] >> 4) * 4
    i, broke = fixed_end, None
    while i + 2 <= end and data[i] != 0:
        if data[i] == 1:
            i += 1
            continue
        length = data[i + 1]
        if data[i] == 30 and data[i + 2] >> 4 in (7, 8):            # MP_FASTCLOSE, MP_TCPRST
            data[i + 1] = length - 1                                # 12 -> 11, 4 -> 3
            broke = "mptcp"
        i += max(length, 2)
    payload = data[end:]
    if payload.startswith(b"\x19\x30\x39\xa1"):
        data[end + 3] = 0xA0                                        # a map of no entries
        broke = "cbor"
    elif payload.startswith(b"BIG-IP: ["):
        data[end + 8] = ord("(")
        broke = "f5"
    return broke


def tshark(*args):
    env = dict(os.environ)
    return subprocess.run([TSHARK] + list(args), capture_output=True, text=True, env=env,
                          check=True).stdout


def dissect(capture, two_pass, fields=FIELDS, occurrence="a"):
    """frame number -> {field: value} for every frame of the capture
    (occurrence "f": the first of a field that occurs several times)."""
    args = ["-r", capture, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=" + occurrence,
            "-E", "aggregator=,"]
    if two_pass:
        args.append("-2")
    for f in fields:
        args += ["-e", f]
    frames = {}
    for line in tshark(*args).splitlines():
        values = dict(zip(fields, line.split("\t")))
        frames[int(values["frame.number"])] = values
    return frames


def info_column(capture, *options):
    """frame number -> the Info column as the packet list shows it (tshark's
    summary lines, -T psml).  Not "-e _ws.col.Info": from Wireshark 4.4 on
    that field is taken before postdissectors run (epan's col_dissect), so
    it never holds what a postdissector such as this plugin writes there."""
    root = ElementTree.fromstring(tshark(*options, "-r", capture, "-2", "-T", "psml"))
    titles = [s.text for s in root.find("structure")]
    number, info = titles.index("No."), titles.index("Info")
    return {p[number].text.strip(): p[info].text or "" for p in root.findall("packet")}


def sharkd_columns(capture, columns):
    """What the GUI shows: sharkd (Wireshark's engine without its Qt front end)
    loads the file as the GUI does, then re-dissects frames for the packet list."""
    params = {"column%d" % i: c + ":0" for i, c in enumerate(["frame.number"] + columns)}
    requests = [{"jsonrpc": "2.0", "id": 1, "method": "load", "params": {"file": capture}},
                {"jsonrpc": "2.0", "id": 2, "method": "frames", "params": params}]
    run = subprocess.run([WITH_PLUGIN, "sharkd", "-"], capture_output=True, text=True, check=True,
                         input="".join(json.dumps(r) + "\n" for r in requests))
    for line in run.stdout.splitlines():
        if line.startswith("{") and '"id":2' in line:
            rows = json.loads(line)["result"]
            return {int(r["c"][0]): dict(zip(columns, r["c"][1:])) for r in rows}
    raise AssertionError("sharkd gave no frames for %s: %s" % (capture, run.stdout[-300:]))


def load_labels():
    with open(os.path.join(CAPTURES, "labels.tsv")) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def all_captures():
    found = []
    for sub in ("", "server-side"):
        folder = os.path.join(CAPTURES, sub)
        found += [os.path.join(sub, f) for f in sorted(os.listdir(folder)) if f.endswith(".pcapng")]
    return found


def is_true(value):
    return value in ("1", "True")


class CaptureTest(unittest.TestCase):
    labels = []
    two_pass = {}
    one_pass = {}

    @classmethod
    def setUpClass(cls):
        cls.labels = load_labels()
        for cap in all_captures():
            path = os.path.join(CAPTURES, cap)
            cls.two_pass[cap] = dissect(path, True)
            cls.one_pass[cap] = dissect(path, False)

    def labelled(self):
        return {(r["capture"], int(r["frame"])): r for r in self.labels}

    def test_plugin_is_listed(self):
        plugins = tshark("-G", "plugins")
        self.assertRegex(plugins, r"(?m)^rst\.so\s+\S+\s+dissector")

    def test_public_fields_are_registered(self):
        names = {line.split("\t")[2] for line in tshark("-G", "fields").splitlines()
                 if line.startswith("F\t")}
        for name in PUBLIC_FIELDS:
            self.assertIn(name, names)

    def test_docs_name_every_field_preference_and_cause(self):
        # docs/fields.md lists every field and preference the plugin registers
        # and nothing else; docs/causes.md has a section per cause.
        fields = {line.split("\t")[2] for line in tshark("-G", "fields").splitlines()
                  if line.startswith("F\t") and line.split("\t")[4] == "rst"}
        prefs = {m.group(1) for m in re.finditer(r"(?m)^#?(rst\.[a-z_]+):",
                                                 tshark("-G", "defaultprefs"))}
        with open(os.path.join(ROOT, "docs", "fields.md")) as fh:
            doc = fh.read()
        for name in sorted(fields | prefs):
            with self.subTest(field=name):
                # Evidence sub-fields are named in their item's row: `.weight`.
                item, _, sub = name.partition(".evidence.")[2].partition(".")
                row = next((line for line in doc.splitlines()
                            if "`rst.evidence.%s`" % item in line), "") if sub else ""
                self.assertTrue("`%s`" % name in doc or "`.%s`" % sub in row, name)
        named = set(re.findall(r"`(rst(?:\.[a-z_]+)*)`", doc))
        self.assertEqual(named - fields - prefs - {"rst"}, set())
        causes = {f[len("rst.expert."):].replace("_", "-") for f in fields
                  if f.startswith("rst.expert.") and f.count(".") == 2} \
            - {"forged", "suspicious", "stated-reason", "unseen"}
        self.assertEqual(len(causes), 11)
        with open(os.path.join(ROOT, "docs", "causes.md")) as fh:
            sections = set(re.findall(r"(?m)^### `([a-z-]+)`$", fh.read()))
        self.assertEqual(sections, causes)

    def test_every_rst_gets_its_labelled_verdict_in_two_passes(self):
        for label in self.labels:
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                got = self.two_pass[label["capture"]][int(label["frame"])]
                self.assertEqual(got["rst.cause"], label["cause"], got["rst.explanation"])
                if label["face_value"]:
                    self.assertEqual(got["rst.face_value"], label["face_value"])
                self.assertEqual(is_true(got["rst.injected"]), label["injected"] == "yes",
                                 got["rst.explanation"])
                for ev in filter(None, label["evidence"].split(",")):
                    field = "rst.evidence.%s.weight" % EVIDENCE_FIELD[ev]
                    self.assertTrue(got[field], "no %s evidence: %s" % (ev, got["rst.explanation"]))
                # The role comes from who sent the SYN: never wrong, "unknown"
                # where the capture holds no handshake (the NAT's new address).
                # A forged RST claims the role whose address it carries.
                if label["sender"] != "forger":
                    claimed = {"firewall": "server", "path-firewall": "server",
                               "endpoint": "server"}.get(
                        label["sender"], label["sender"])
                    self.assertIn(got["rst.sender"], (claimed, "unknown"))
                self.assertTrue(got["rst.explanation"])

    def test_every_rst_costs_what_its_label_says(self):
        # The label's impact follows from what the lab's programs did (the
        # impact_known column); where the programs fix the sizes, the bytes.
        for label in self.labels:
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                got = self.two_pass[label["capture"]][int(label["frame"])]
                self.assertEqual(got["rst.impact"], label["impact"], got["rst.explanation"])
                if label["impact_bytes"]:
                    self.assertEqual(got["rst.impact.bytes"], label["impact_bytes"],
                                     got["rst.explanation"])
                if label["impact"] != "data-lost":
                    self.assertEqual(got["rst.impact.bytes"], "")
                one = self.one_pass[label["capture"]][int(label["frame"])]
                self.assertIn(one["rst.impact"], ("none", "data-lost", "connection-failed",
                                                  "unknown"))

    def test_only_the_rst_that_ended_a_connection_counts_its_loss(self):
        # A RST after the one that ended the connection (late replies, a
        # burst) costs nothing itself and names that RST; every such RST the
        # labels call harmless while an earlier one in its capture lost data.
        checked = 0
        for label in self.labels:
            got = self.two_pass[label["capture"]][int(label["frame"])]
            if not got["rst.impact.counted_in"]:
                continue
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                self.assertEqual(got["rst.impact"], "none")
                earlier = int(got["rst.impact.counted_in"])
                self.assertLess(earlier, int(label["frame"]))
                self.assertIn(self.two_pass[label["capture"]][earlier]["rst.impact"],
                              ("data-lost", "connection-failed", "none"))
                checked += 1
        self.assertGreaterEqual(checked, 40)

    def test_stated_reasons_are_decoded_as_the_sender_built_them(self):
        # The label says what the sender put on the RST (payload, MPTCP
        # options, window); RSTs of Linux stacks without MPTCP, netfilter and
        # the forger carry none.
        stated = [r for r in self.labels if r["stated"]]
        self.assertGreaterEqual(len({r["stated"].split("/")[0] for r in stated}), 8)
        for label in self.labels:
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                got = self.two_pass[label["capture"]][int(label["frame"])]
                kind, _, rest = label["stated"].partition("/")
                self.assertEqual(got["rst.diag.format"], {"f5": "text"}.get(kind, kind))
                self.check_statement(kind, rest.split("/"), got)

    def test_a_stated_cause_keeps_the_wire_reading(self):
        # rst.wire_cause is what the connection alone says.  Where nothing is
        # stated it is the face value; the lab endpoint's statements come on
        # RST/ACKs at its own next seq after a request (an abort's shape) or
        # on RST/ACKs with seq 0 to a SYN (a refusal's); the server kernel
        # refuses an MP_JOIN by dropping its request socket at the final ACK
        # (tcp_check_req's embryonic reset: a full accept queue's code path).
        wire_of_join = {"server": "accept-queue-overflow", "client": "abort"}
        for label in self.labels:
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                got = self.two_pass[label["capture"]][int(label["frame"])]
                if not label["stated"]:
                    self.assertEqual(got["rst.wire_cause"], got["rst.face_value"])
                elif label["sender"] == "endpoint":
                    self.assertEqual(got["rst.wire_cause"],
                                     "refused" if label["impact"] == "connection-failed"
                                     else "abort")
                elif "mptcp-join-refused" in label["capture"]:
                    self.assertEqual(got["rst.wire_cause"], wire_of_join[label["sender"]])

    def test_mptcp_reasons_need_no_mptcp_dissection(self):
        # MP_TCPRST and MP_FASTCLOSE come from the frame's bytes: the same
        # reading with Wireshark's MPTCP analysis off, or its dissector off.
        for cap in ("mptcp-fastclose.pcapng", "mptcp-join-refused.pcapng",
                    "vendor-reasons.pcapng"):
            path = os.path.join(CAPTURES, cap)
            for switch in (["-o", "mptcp.analyze_mptcp:FALSE"], ["--disable-protocol", "mptcp"]):
                got = dissect_with(path, switch)
                with self.subTest(capture=cap, switch=switch[0]):
                    for label in self.labels:
                        if label["capture"] != cap or not label["stated"].startswith("mptcp"):
                            continue
                        frame = got[int(label["frame"])]
                        want = self.two_pass[cap][int(label["frame"])]
                        for f in ("rst.cause", "rst.diag.format", "rst.diag.reason_code",
                                  "rst.diag.reason", "rst.diag.fastclose"):
                            self.assertEqual(frame[f], want[f], f)

    def test_damaged_statements_are_malformed_never_read(self):
        # The lab's stated reasons with their bytes broken as a bad middlebox
        # or a hostile file would: an MP_TCPRST or MP_FASTCLOSE whose length
        # is wrong, a CBOR map with no entries, an F5 cause without its
        # bracket.  Each is malformed (or plain text), never a reading, and
        # no RST is lost.
        sys.path.insert(0, HERE)
        from odd_captures import tcp_header_end, to_pcap  # noqa: E402
        from pcapio import read_pcap, write_pcap  # noqa: E402
        checked = collections.Counter()
        with tempfile.TemporaryDirectory() as work:
            for cap in ("vendor-reasons.pcapng", "mptcp-fastclose.pcapng",
                        "mptcp-join-refused.pcapng"):
                header, frames = read_pcap(to_pcap(cap, work))
                want = {}
                for num, frame in enumerate(frames, 1):
                    kind = damage_statement(frame[2], tcp_header_end(frame[2]))
                    if kind:
                        want[num] = kind
                path = os.path.join(work, "damaged-" + cap.replace(".pcapng", ".pcap"))
                write_pcap(path, header, frames)
                got = dissect(path, True)
                for num, kind in want.items():
                    with self.subTest(capture=cap, frame=num):
                        self.assertTrue(got[num]["rst.cause"])
                        self.assertEqual(got[num]["rst.diag.format"],
                                         "text" if kind == "f5" else "malformed")
                        self.assertEqual(got[num]["rst.diag.vendor"], "")
                        self.assertEqual(got[num]["rst.diag.reason_code"], "")
                        checked[kind] += 1
        self.assertEqual(set(checked), {"mptcp", "cbor", "f5"}, checked)

    def test_the_netscaler_preference_turns_the_reading_off(self):
        # -o rst.netscaler_codes:FALSE: a NetScaler's window is a window
        # again; the cause is the wire's.
        cap = "vendor-reasons.pcapng"
        got = dissect_with(os.path.join(CAPTURES, cap), ["-o", "rst.netscaler_codes:FALSE"])
        checked = 0
        for label in self.labels:
            if label["capture"] != cap or not label["stated"].startswith("window/"):
                continue
            with self.subTest(frame=label["frame"]):
                frame = got[int(label["frame"])]
                self.assertEqual(frame["rst.diag.format"], "")
                self.assertEqual(frame["rst.cause"],
                                 self.two_pass[cap][int(label["frame"])]["rst.wire_cause"])
                checked += 1
        self.assertEqual(checked, 4)

    def test_a_forged_rst_never_speaks_for_a_netscaler(self):
        # A window in Citrix's table is a NetScaler's statement only on a RST
        # with no other sign of forgery; on a forged one it is not read, and
        # the explanation says why.
        seen = 0
        for label in self.labels:
            if label["injected"] != "yes":
                continue
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                got = self.two_pass[label["capture"]][int(label["frame"])]
                self.assertNotEqual(got["rst.diag.format"], "window")
                if "would be a Citrix NetScaler reset code" in got["rst.explanation"]:
                    seen += 1
        self.assertGreaterEqual(seen, 1)

    def check_statement(self, kind, parts, got):
        """One stated reason, field by field, against what its sender built."""
        vendor = {"f5": "F5 BIG-IP", "window": "Citrix NetScaler"}.get(kind, "")
        self.assertEqual(got["rst.diag.vendor"], vendor)
        if kind == "compact":
            self.assertEqual((got["rst.diag.reason_code"], got["rst.diag.pen"]), tuple(parts))
        elif kind in ("description", "text"):
            self.assertEqual(got["rst.diag.text"], parts[0])
            self.assertIn('"%s"' % parts[0], got["rst.explanation"])
        elif kind == "cbor":
            code, pen, text = parts
            self.assertEqual(got["rst.diag.reason_code"], "" if code == "-" else code)
            self.assertEqual(got["rst.diag.pen"], "" if code == "-" else pen)
            self.assertEqual(got["rst.diag.text"], "" if text == "-" else text)
            self.assertIn("CBOR layout", got["rst.explanation"])
        elif kind == "f5":
            location, peer, cause = parts
            self.assertEqual(got["rst.diag.f5.location"], location)
            self.assertEqual(is_true(got["rst.diag.f5.peer"]), peer == "1")
            self.assertEqual(got["rst.diag.reason"], cause)
            self.assertIn("F5 BIG-IP reset cause: \"%s\"" % cause, got["rst.explanation"])
        elif kind == "mptcp":
            reason, flags, fastclose = parts
            self.assertEqual(got["rst.diag.reason_code"], "" if reason == "-" else reason)
            if reason != "-":
                self.assertEqual(int(got["rst.diag.mptcp_flags"], 0), int(flags))
                self.assertEqual(is_true(got["rst.diag.transient"]), int(flags) & 1 == 1)
                self.assertEqual(got["rst.diag.reason"], MPTCP_REASONS[int(reason)])
            self.assertEqual(got["rst.diag.fastclose_by"], "" if fastclose == "-" else fastclose)
        elif kind == "window":
            self.assertEqual(got["rst.diag.reason_code"], parts[0])
            self.assertIn("Its window, %s, is a Citrix NetScaler reset code" % parts[0],
                          got["rst.explanation"])
            self.assertEqual(got["rst.suspicion"], "0")

    def test_no_genuine_rst_shows_any_sign_of_forgery(self):
        # Stronger than "not injected": a genuine RST gets no evidence at all.
        for label in self.labels:
            if label["injected"] == "yes":
                continue
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                got = self.two_pass[label["capture"]][int(label["frame"])]
                self.assertEqual(got["rst.suspicion"], "0", got["rst.explanation"])

    def test_late_replies_link_the_rst_that_ended_the_connection(self):
        # After a forged RST killed the connection, the receiver's own RSTs for
        # the real peer's late packets point at it (rst.after).
        checked = 0
        forged = {(r["capture"], int(r["frame"])) for r in self.labels if r["injected"] == "yes"}
        for label in self.labels:
            got = self.two_pass[label["capture"]][int(label["frame"])]
            if label["cause"] == "no-connection" and got["rst.after"]:
                after = (label["capture"], int(got["rst.after"]))
                if after in forged:
                    checked += 1
        self.assertGreaterEqual(checked, 8)

    def test_rsts_after_their_senders_own_rst_name_it(self):
        # RFC 9293 3.10.7.1: after a genuine RST its sender has no connection;
        # its later RSTs in that connection (not replies to a new SYN) answer
        # "no connection" and name the RST that ended it (issue 13, item 2).
        checked = 0
        for cap in sorted({r["capture"] for r in self.labels}):
            rows = sorted((r for r in self.labels if r["capture"] == cap),
                          key=lambda r: int(r["frame"]))
            # Per RST: its connection, and its header (seq, ack, flags, IP ID)
            # and time, so that two RSTs alike within a millisecond (which no
            # capture can tell from a tap's copy) are taken as one.
            seen = {}
            for line in tshark("-r", os.path.join(CAPTURES, cap), "-Y",
                               "tcp.flags.reset == 1 && !icmp && !icmpv6", "-T", "fields",
                               "-E", "occurrence=l", "-e", "frame.number", "-e", "tcp.stream",
                               "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e", "tcp.flags",
                               "-e", "ip.id", "-e", "frame.time_epoch").splitlines():
                f = line.split("\t")
                seen[int(f[0])] = (f[1], tuple(f[2:6]), float(f[6]))
            ended, last = {}, {}
            for r in rows:
                if r["injected"] == "yes" or r["cause"] == "refused":
                    continue
                conn, header, when = seen[int(r["frame"])]
                key = (conn, r["sender"])
                previous, last[key] = last.get(key), (header, when)
                if previous and previous[0] == header and when - previous[1] < 0.001:
                    continue
                if key not in ended:
                    if r["cause"] != "invalid-segment":   # SYN-RECEIVED replies keep it
                        ended[key] = r["frame"]
                    continue
                with self.subTest(capture=cap, frame=r["frame"]):
                    got = self.two_pass[cap][int(r["frame"])]
                    self.assertEqual(r["cause"], "no-connection", "label")
                    self.assertEqual(got["rst.cause"], "no-connection", got["rst.explanation"])
                    self.assertEqual(got["rst.after"], ended[key], got["rst.explanation"])
                    checked += 1
        self.assertGreaterEqual(checked, 6)

    def test_rsts_from_two_distances_without_anchor_say_so(self):
        # rsts-from-two-distances without its first connection: the server
        # then shows itself only through RSTs, its own (TTL 63, frame 18 of
        # the capture) and the device's (TTL 239, frame 20): nothing anchors
        # either, the explanation names a frame of each (issue 13, item 3).
        with tempfile.TemporaryDirectory() as tmp:
            part = os.path.join(tmp, "two-refusals.pcapng")
            subprocess.run(["editcap", "-r", os.path.join(CAPTURES, "rsts-from-two-distances.pcapng"),
                            part, "17-20"], check=True, capture_output=True)
            frames = dissect(part, True)
        for frame in (2, 4):
            self.assertIn("arrive from two distances, TTL 63 (frame 2) and TTL 239 (frame 4)",
                          frames[frame]["rst.explanation"])

    def test_one_pass_gives_the_best_verdict_so_far(self):
        # Genuine RSTs need nothing from later packets; a forged RST may only
        # be caught once its claimed sender's real packets have been seen, and
        # until then it reads as what it imitates.
        for label in self.labels:
            with self.subTest(capture=label["capture"], frame=label["frame"]):
                got = self.one_pass[label["capture"]][int(label["frame"])]
                if label["injected"] == "yes":
                    self.assertIn(got["rst.cause"], ("injected", label["face_value"] or "injected"))
                else:
                    self.assertEqual(got["rst.cause"], label["cause"], got["rst.explanation"])
                    self.assertFalse(is_true(got["rst.injected"]))

    def test_the_gui_shows_what_tshark_2_shows(self):
        columns = ["rst.cause", "rst.suspicion", "rst.injected", "rst.answers"]
        for cap in all_captures():
            gui = sharkd_columns(os.path.join(CAPTURES, cap), columns)
            with self.subTest(capture=cap):
                self.assertEqual(set(gui), set(self.two_pass[cap]))
                for num, shown in gui.items():
                    tshark_2 = self.two_pass[cap][num]
                    self.assertEqual(shown["rst.cause"], tshark_2["rst.cause"], "frame %d" % num)
                    self.assertEqual(shown["rst.suspicion"], tshark_2["rst.suspicion"])
                    self.assertEqual(is_true(shown["rst.injected"]), is_true(tshark_2["rst.injected"]))
                    self.assertEqual(shown["rst.answers"], tshark_2["rst.answers"])

    def test_filtering_on_rst_injected_selects_only_injected_rsts(self):
        injected = {(r["capture"], int(r["frame"])) for r in self.labels if r["injected"] == "yes"}
        for cap in ("forged-handshake.pcapng", "tour.pcapng", "refused-v4.pcapng"):
            out = tshark("-r", os.path.join(CAPTURES, cap), "-2", "-Y", "rst.injected",
                         "-T", "fields", "-e", "frame.number")
            got = {(cap, int(n)) for n in out.split()}
            self.assertEqual(got, {k for k in injected if k[0] == cap})

    def test_every_rst_tree_reads_whole(self):
        # Wireshark cuts a tree label at 240 characters ("[truncated]"): the
        # first line states the verdict in under 200, the explanation is cut
        # into lines (rst.why), expert messages are short; rst.explanation
        # keeps the whole text for -T fields.
        for cap in all_captures():
            out = tshark("-r", os.path.join(CAPTURES, cap), "-2", "-Y", "rst", "-O", "rst", "-V")
            with self.subTest(capture=cap):
                self.assertNotIn("[truncated]", out)
                trees = re.split(r"(?m)^Frame (\d+): ", out)[1:]
                shown = dict(zip(map(int, trees[0::2]), trees[1::2]))
                self.assertEqual(set(shown), set(self.rsts(cap)))
                for num, tree in shown.items():
                    first = re.search(r"(?m)^TCP RST Analysis: .*$", tree).group(0)
                    self.assertLess(len(first), 200)
                    self.assertRegex(first, r"^TCP RST Analysis: [a-z-]+, ((from the|in the) [a-z']+( name)?, )?"
                                     r"(nothing lost|nothing more "
                                     r"lost \(frame \d+ ended the connection\)|lost (at least )?"
                                     r"\d+ bytes?|the connection attempt failed|cost unknown), "
                                     r"suspicion \d+$")
                    why = re.findall(r"(?m)^ {8}\[Why: (.*)\]$", tree)
                    self.assertEqual(" ".join(why), self.rsts(cap)[num]["rst.explanation"])

    def rsts(self, cap):
        return {n: f for n, f in self.two_pass[cap].items() if f["rst.cause"]}

    def test_expert_information_names_every_cause(self):
        # Analyze > Expert Information (the expert tap, tshark -z expert) and
        # filters on expert fields get every RST's verdict, although a field
        # list or filter that names neither makes the plugin skip them.
        path = os.path.join(CAPTURES, "tour.pcapng")
        tour = [r for r in self.labels if r["capture"] == "tour.pcapng"]
        def causes(severity):
            out = tshark("-r", path, "-2", "-q", "-z", "expert," + severity)
            got = collections.Counter()
            for m in re.finditer(r"(?m)^\s+(\d+)\s+Sequence\s+RST\s+RST cause ([a-z-]+): ", out):
                got[m.group(2)] += int(m.group(1))
            return got
        self.assertEqual(causes("chat"), collections.Counter(r["cause"] for r in tour))
        # A RST that lost nothing is at Chat: hidden from Note up, the rest
        # (and every forged RST) not.
        at_note = sum(causes("note").values())
        self.assertEqual(at_note, sum(1 for r in tour
                                      if r["impact"] != "none" or r["injected"] == "yes"))
        self.assertLess(at_note, len(tour))
        out = tshark("-r", path, "-2", "-Y", "rst.expert.forged", "-T", "fields", "-e",
                     "frame.number")
        self.assertEqual({int(n) for n in out.split()},
                         {int(r["frame"]) for r in tour if r["injected"] == "yes"})
        out = tshark("-r", path, "-2", "-Y", "rst", "-T", "fields", "-e", "_ws.expert.message")
        self.assertEqual(len(re.findall(r"RST cause [a-z-]+: ", out)), len(tour))

    def test_statistics_count_what_the_fields_say(self):
        # tshark -z rst,tree (Statistics > TCP RST Analysis) against the
        # rst.* fields of the same frames.
        for cap in ("tour.pcapng", "gfw-tls-burst.pcapng", "server-side/forged-client-rst.pcapng"):
            path = os.path.join(CAPTURES, cap)
            tree = tshark("-r", path, "-2", "-q", "-z", "rst,tree")
            counts = {}
            for line in tree.splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit() and not line.startswith(("=", "-")):
                    counts[(len(line) - len(line.lstrip()), parts[0])] = int(parts[1])
            frames = [f for f in self.two_pass[cap].values() if f["rst.cause"]]
            with self.subTest(capture=cap):
                self.assertEqual(counts[(0, "RSTs")], len(frames))
                for cause in {f["rst.cause"] for f in frames}:
                    self.assertEqual(counts[(2, cause)],
                                     sum(f["rst.cause"] == cause for f in frames))
                for role in {f["rst.sender"] for f in frames}:
                    self.assertEqual(counts[(2, role)], sum(f["rst.sender"] == role for f in frames))
                injected = sum(is_true(f["rst.injected"]) for f in frames)
                self.assertEqual(counts.get((2, "injected"), 0), injected)
                self.assertEqual(counts.get((2, "genuine"), 0), len(frames) - injected)
                for impact in ("none", "data-lost", "connection-failed", "unknown"):
                    self.assertEqual(counts.get((2, impact), 0),
                                     sum(f["rst.impact"] == impact for f in frames))
                lost = sum(int(f["rst.impact.bytes"] or 0) for f in frames)
                m = re.search(r"(?m)^Bytes lost, by server\s+(\d+)", tree)
                self.assertEqual(int(m.group(1)) if m else 0, lost)
                # Per server: the same bytes, under the server's address.
                section = tree.partition("Bytes lost, by server")[2]
                per_server = re.findall(r"(?m)^ (\S+)\s+(\d+)", section)
                self.assertEqual(sum(int(n) for _, n in per_server), lost)

    def test_statistics_count_stated_reasons(self):
        # "By stated reason": every RST that states something, under its
        # format or vendor, code and meaning, as its rst.diag.* fields say.
        def label(f):
            fmt, code, reason = f["rst.diag.format"], f["rst.diag.reason_code"], f["rst.diag.reason"]
            if f["rst.diag.vendor"] == "F5 BIG-IP":
                return "F5 BIG-IP: " + reason
            if f["rst.diag.vendor"]:
                return "%s %s" % (f["rst.diag.vendor"], code)
            if fmt == "mptcp" and not code:
                return "mptcp MP_FASTCLOSE"
            return " ".join(filter(None, (fmt, code, reason))) if code else fmt
        for cap in ("vendor-reasons.pcapng", "stated-reasons.pcapng", "mptcp-join-refused.pcapng",
                    "mptcp-fastclose.pcapng"):
            path = os.path.join(CAPTURES, cap)
            tree = tshark("-r", path, "-2", "-q", "-z", "rst,tree")
            section = tree.partition(" By stated reason")[2].split("\n By ")[0]
            got = {}
            for line in section.splitlines()[1:]:
                m = re.match(r"^  (.+?)\s{2,}(\d+)\s", line)
                if m:
                    got[m.group(1)] = int(m.group(2))
            expected = {}
            for f in self.two_pass[cap].values():
                if f["rst.diag.format"] not in ("", "data", "malformed"):
                    expected[label(f)] = expected.get(label(f), 0) + 1
            with self.subTest(capture=cap):
                self.assertTrue(expected)
                self.assertEqual(got, expected)

    def test_profile_colours_rsts_by_verdict_and_states_them_in_info(self):
        def rule(f):
            cause = f["rst.cause"]
            if is_true(f["rst.injected"]):
                return "RST injected"
            if f["rst.suspicion"] not in ("", "0"):
                return "RST suspicious"
            if f["rst.impact"] == "none":
                return "RST harmless"
            if cause in ("no-connection", "accept-queue-overflow"):
                return "RST lost connection"
            if cause in ("data-after-close", "invalid-segment"):
                return "RST after close or invalid"
            if cause.endswith("timeout"):
                return "RST timeout"
            return "RST " + cause
        for cap in ("tour.pcapng", "icmp-quoted.pcapng", "server-side/forged-client-rst.pcapng"):
            path = os.path.join(CAPTURES, cap)
            out = tshark("-C", "RST Analysis", "--color", "-r", path, "-2", "-T", "fields",
                         "-e", "frame.number", "-e", "frame.coloring_rule.name")
            colours = dict(line.split("\t") for line in out.splitlines())
            for num, f in self.two_pass[cap].items():
                with self.subTest(capture=cap, frame=num):
                    if f["rst.cause"]:
                        self.assertEqual(colours[str(num)], rule(f))
                    else:
                        self.assertFalse(colours[str(num)].startswith("RST "))
        # The verdict in the Info column, in the profile as in any other.
        for profile in (["-C", "RST Analysis"], []):
            info = info_column(os.path.join(CAPTURES, "forged-handshake.pcapng"), *profile)
            # The forger answered the client's SYN in the server's name; the
            # client's kernel then reset the real SYN-ACK (captures/labels.tsv).
            self.assertRegex(info["2"], r"^\[RST cause: injected, in the server's name, "
                                        r"suspicion \d+\] 8443 ")
            self.assertTrue(info["4"].startswith("[RST cause: no-connection, from the client] "))

    def test_the_info_column_states_each_verdict(self):
        # Every labelled RST of the tour that its claimed sender sent, with no
        # sign of forgery: its cause and who sent it, nothing more.
        info = info_column(os.path.join(CAPTURES, "tour.pcapng"))
        checked = 0
        for (cap, num), label in self.labelled().items():
            if cap != "tour.pcapng" or label["sender"] not in ("client", "server") \
                    or label["injected"] != "no" or label["evidence"]:
                continue
            with self.subTest(frame=num):
                self.assertTrue(info[str(num)].startswith(
                    "[RST cause: %s, from the %s] " % (label["cause"], label["sender"])),
                    info[str(num)])
            checked += 1
        self.assertGreaterEqual(checked, 10)

    def test_every_rst_on_the_wire_is_labelled(self):
        labelled = self.labelled()
        for cap, frames in self.two_pass.items():
            for num, f in frames.items():
                live_rst = f["tcp.flags.reset"].split(",")[0] in ("1", "True") \
                    and not f["icmp.type"] and not f["icmpv6.type"]
                if live_rst:
                    self.assertIn((cap, num), labelled, "unlabelled RST")

    def test_in_a_tunnel_the_inner_ip_layer_counts(self):
        # The lab client connected to 192.0.2.2:8001 inside VXLAN; the outer
        # layers carry 198.51.100.10 <-> 203.0.113.2 (captures/README.md).
        refused = [f for f in self.two_pass["vxlan-tunnel.pcapng"].values()
                   if f["rst.cause"] == "refused"]
        self.assertEqual(len(refused), 1)
        self.assertIn("192.0.2.2:8001", refused[0]["rst.explanation"])

    def test_nothing_on_other_frames_or_icmp_quotations(self):
        labelled = self.labelled()
        quoted = 0
        for cap, frames in list(self.two_pass.items()) + list(self.one_pass.items()):
            for num, f in frames.items():
                if (cap, num) in labelled:
                    continue
                with self.subTest(capture=cap, frame=num):
                    self.assertEqual(f["rst.cause"], "")
                    self.assertEqual(f["rst.suspicion"], "")
                if (f["icmp.type"] or f["icmpv6.type"]) and any(
                        map(is_true, f["tcp.flags.reset"].split(","))):   # 4.4 on: "True"
                    quoted += 1
        # Both icmp-quoted captures (IPv4 and IPv6) must really hold quotations,
        # seen in both modes, or this test proves nothing.
        self.assertGreaterEqual(quoted, 4)


if __name__ == "__main__":
    unittest.main(verbosity=2 if "-v" in sys.argv else 1,
                  argv=[sys.argv[0]] + [a for a in sys.argv[1:] if a != "-v"])
