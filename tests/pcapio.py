"""Reading and writing classic pcap files (little-endian, microseconds), the
format editcap -F pcap writes: enough for the tests to derive captures.

A frame is [ts_sec, ts_usec, bytearray data, orig_len].
"""
import struct

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101


def read_pcap(path):
    """(header, [frame]) of a little-endian microsecond pcap."""
    with open(path, "rb") as fh:
        blob = fh.read()
    header, pos, frames = blob[:24], 24, []
    while pos + 16 <= len(blob):
        sec, usec, incl, orig = struct.unpack_from("<IIII", blob, pos)
        frames.append([sec, usec, bytearray(blob[pos + 16:pos + 16 + incl]), orig])
        pos += 16 + incl
    return header, frames


def linktype(header):
    return struct.unpack_from("<I", header, 20)[0]


def with_linktype(header, value, snaplen=None):
    magic, major, minor, zone, sigfigs, snap, _ = struct.unpack("<IHHiIII", header)
    return struct.pack("<IHHiIII", magic, major, minor, zone, sigfigs,
                       snap if snaplen is None else snaplen, value)


def write_pcap(path, header, frames):
    with open(path, "wb") as fh:
        fh.write(header)
        for sec, usec, data, orig in frames:
            fh.write(struct.pack("<IIII", sec, usec, len(data), max(orig, len(data))))
            fh.write(bytes(data))


def ip_checksum(header):
    if len(header) % 2:
        header += b"\0"
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_header(src, dst, proto, payload_len, ttl=64, ident=0):
    """An IPv4 header without options, checksum filled in."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, 0x4000, ttl, proto, 0,
                      bytes(src), bytes(dst))
    return hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
