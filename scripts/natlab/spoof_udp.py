#!/usr/bin/env python3
"""The NAT lab's attacker: sends UDP datagrams under someone else's source address, and captures
genuine ones off the wire to replay them. Standard library only; run as root inside a lab
namespace (`natlab.sh exec core python3 scripts/natlab/spoof_udp.py ...`): the core router sees
every public packet, so an attacker there is on path, and one that only sends is off path.

  spoof_udp.py send SRC_IP:PORT DST_IP:PORT HEX...
      one IPv4/UDP datagram per HEX payload, built by hand (IP_HDRINCL raw socket), whose source
      is SRC_IP:PORT whatever this host's own addresses are. Prints "sent N".
  spoof_udp.py capture IFACE SRC_IP:PORT DST_IP:PORT PREFIX_HEX TIMEOUT_S
      waits (an AF_PACKET socket on IFACE, Ethernet frames) for the first UDP datagram from SRC to
      DST whose payload starts with PREFIX_HEX, prints its payload as hex; exit 1 after TIMEOUT_S.
  spoof_udp.py plain DST_IP:PORT HEX...
      one datagram per HEX payload from an ordinary UDP socket of the host it runs in (its own
      source address; IPv4 or IPv6 by DST, which may be written [IPV6]:PORT): a stranger, not a
      forger. Prints "sent N".

Used by ForgedControlIT: forged control "from the rendezvous" to a client's public NAT mapping,
and a replay of a sealed control datagram the rendezvous really sent; by Ipv6FirewallIT: an
unsolicited datagram from the public side toward a client behind an IPv6 firewall.
"""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003          # every protocol, outgoing frames included
ETH_HEADER = 14             # veth frames carry an Ethernet header
ETH_P_IP = 0x0800
IP_PROTO_UDP = 17
IP_TTL = 64
UDP_HEADER = 8
FRAME_MAX = 65535


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host.strip("[]"), int(port)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def datagram(src, dst, payload):
    """An IPv4 header, a UDP header (with its checksum over the pseudo-header) and the payload."""
    src_ip, dst_ip = socket.inet_aton(src[0]), socket.inet_aton(dst[0])
    udp_len = UDP_HEADER + len(payload)
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, IP_PROTO_UDP, udp_len)
    udp = struct.pack("!HHHH", src[1], dst[1], udp_len, 0) + payload
    udp_sum = checksum(pseudo + udp) or 0xFFFF   # 0 means "no checksum" in UDP over IPv4
    udp = udp[:6] + struct.pack("!H", udp_sum) + udp[8:]
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, IP_TTL, IP_PROTO_UDP, 0, src_ip, dst_ip)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + udp


def send(src, dst, payloads):
    # IPPROTO_RAW implies IP_HDRINCL: the kernel sends our header, source address included.
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW) as s:
        for p in payloads:
            s.sendto(datagram(src, dst, p), (dst[0], 0))
    print("sent %d" % len(payloads))


def plain(dst, payloads):
    family = socket.AF_INET6 if ":" in dst[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        for p in payloads:
            s.sendto(p, dst)
    print("sent %d" % len(payloads))


def capture(iface, src, dst, prefix, timeout):
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)) as s:
        s.bind((iface, 0))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                print("no datagram %s:%d -> %s:%d starting with %s on %s within %d s"
                      % (src + dst + (prefix.hex(), iface, timeout)), file=sys.stderr)
                sys.exit(1)
            s.settimeout(left)
            try:
                frame = s.recv(FRAME_MAX)
            except socket.timeout:
                continue
            payload = udp_payload(frame, src, dst)
            if payload is not None and payload.startswith(prefix):
                print(payload.hex())
                return


def udp_payload(frame, src, dst):
    """The UDP payload of an Ethernet/IPv4 frame from src to dst, else None."""
    if len(frame) < ETH_HEADER + 20 + UDP_HEADER or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
        return None
    ip = frame[ETH_HEADER:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != IP_PROTO_UDP or socket.inet_ntoa(ip[12:16]) != src[0] or socket.inet_ntoa(ip[16:20]) != dst[0]:
        return None
    sport, dport, length = struct.unpack("!HHH", ip[ihl:ihl + 6])
    if (sport, dport) != (src[1], dst[1]):
        return None
    return ip[ihl + UDP_HEADER:ihl + length]


def main(argv):
    if len(argv) >= 4 and argv[0] == "send":
        send(endpoint(argv[1]), endpoint(argv[2]), [bytes.fromhex(h) for h in argv[3:]])
    elif len(argv) >= 3 and argv[0] == "plain":
        plain(endpoint(argv[1]), [bytes.fromhex(h) for h in argv[2:]])
    elif len(argv) == 6 and argv[0] == "capture":
        capture(argv[1], endpoint(argv[2]), endpoint(argv[3]), bytes.fromhex(argv[4]), float(argv[5]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
