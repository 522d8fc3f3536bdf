#!/usr/bin/env python3
"""The NAT lab's delay line: holds every packet of one netfilter queue for a fixed time, then accepts it.
The kernel here has no netem; an iptables/ip6tables rule `-j NFQUEUE --queue-num N` hands packets to this
program, which answers each with an NF_ACCEPT verdict DELAY_MS later (in arrival order: a fixed delay
reorders nothing). Standard library only (a raw netlink socket speaking nfnetlink_queue); run as root
inside the namespace of the rule (`natlab.sh delay` starts it in the core).

  delay_queue.py QUEUE_NUM DELAY_MS

Prints "ready" once bound to the queue, so a caller can wait for it.
"""
import collections
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1          # only the packet id: the payload is never needed here
NF_ACCEPT = 1
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 2
NLMSG_HEADER = struct.Struct("=IHHII")   # length, type, flags, sequence, port id (host order)
NFGEN_HEADER = struct.Struct("!BBH")     # family, version, queue number (network order)
RECEIVE_BUFFER = 1 << 20                 # packets wait in the socket while earlier ones are held
READ_MAX = 65536


def attribute(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def message(kind, queue, attributes, flags=NLM_F_REQUEST, family=socket.AF_UNSPEC):
    body = NFGEN_HEADER.pack(family, 0, queue) + b"".join(attributes)
    return NLMSG_HEADER.pack(NLMSG_HEADER.size + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


def bind(sock, queue):
    cmd = attribute(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0))
    params = attribute(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))
    for attrs in ([cmd], [params]):
        sock.send(message(NFQNL_MSG_CONFIG, queue, attrs, NLM_F_REQUEST | NLM_F_ACK))
        reply = sock.recv(READ_MAX)
        kind = struct.unpack_from("=H", reply, 4)[0]
        error = struct.unpack_from("=i", reply, NLMSG_HEADER.size)[0] if kind == NLMSG_ERROR else 0
        if error != 0:   # an ACK is an NLMSG_ERROR with error 0
            sys.exit("cannot configure queue %d: error %d" % (queue, error))


def packet_ids(data):
    """The ids of the NFQNL_MSG_PACKET messages in one read."""
    offset = 0
    while offset + NLMSG_HEADER.size <= len(data):
        length, kind = struct.unpack_from("=IH", data, offset)
        if length < NLMSG_HEADER.size:
            return
        if kind & 0xFF == NFQNL_MSG_PACKET and kind >> 8 == NFNL_SUBSYS_QUEUE:
            at = offset + NLMSG_HEADER.size + NFGEN_HEADER.size
            while at + 4 <= offset + length:
                alen, akind = struct.unpack_from("=HH", data, at)
                if alen < 4:
                    break
                if akind & 0x7FFF == NFQA_PACKET_HDR:
                    yield struct.unpack_from("!I", data, at + 4)[0]
                at += alen + (-alen % 4)
        offset += length + (-length % 4)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    queue, delay = int(argv[0]), float(argv[1]) / 1000
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.bind((0, 0))
    bind(sock, queue)
    print("ready", flush=True)
    held = collections.deque()   # (due, packet id), due times in arrival order
    while True:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else None
        if select.select([sock], [], [], timeout)[0]:
            now = time.monotonic()
            for packet_id in packet_ids(sock.recv(READ_MAX)):
                held.append((now + delay, packet_id))
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, packet_id = held.popleft()
            verdict = attribute(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))
            sock.send(message(NFQNL_MSG_VERDICT, queue, [verdict]))


if __name__ == "__main__":
    main(sys.argv[1:])
