package io.p2pchat.rendezvous;

import io.p2pchat.control.ControlClient;
import io.p2pchat.control.ControlCodec;
import io.p2pchat.control.KnownServers;
import io.p2pchat.control.ControlSession;
import io.p2pchat.control.TicketWallet;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The client end of the sealed control channel for blocking test clients ({@link UdpClient},
 * {@link RawUdp}): runs the handshake over the test's own socket, seals and opens control JSON.
 */
final class TestControl {

  private final ControlClient client;
  private final NodeIdentity identity;

  /** A client of the rendezvous on loopback {@code port}, trusting its key on first use (nothing saved). */
  TestControl(NodeIdentity identity, int port) {
    this(identity, "127.0.0.1:" + port, null);
  }

  /**
   * A client of the rendezvous {@code server} ({@code host:port}) trusting its key on first use, whose
   * handshake is bound to a TLS connection by {@code binding} (null: over UDP).
   */
  TestControl(NodeIdentity identity, String server, byte[] binding) {
    this(identity, server, binding, null);
  }

  /** {@link #TestControl(NodeIdentity, String, byte[])} resuming with, and keeping, the tickets of {@code tickets} (null: none). */
  TestControl(NodeIdentity identity, String server, byte[] binding, TicketWallet tickets) {
    this.identity = identity;
    client = new ControlClient(identity, server,
      KnownServers.empty(Path.of("target", "unsaved-known-servers")), ControlCodec.SUITE, new SecureRandom(),
      System::currentTimeMillis, binding).useTickets(tickets);
  }

  /**
   * Runs the handshake, or the resumption when a ticket is held, to a new session, with the client's
   * retransmissions: {@code receiveUntil} returns the next datagram or null at the deadline it is given
   * ({@link System#nanoTime}); {@code lost} says which datagrams the network eats, out ({@code true})
   * or in ({@code false}). Returns every control datagram type sent, in order.
   */
  java.util.List<ControlCodec.Type> establish(Consumer<byte[]> send, java.util.function.LongFunction<byte[]> receiveUntil,
      java.util.function.BiPredicate<Boolean, byte[]> lost) {
    java.util.List<ControlCodec.Type> sent = new java.util.ArrayList<>();
    Consumer<byte[]> out = d -> {
      sent.add(ControlCodec.Type.values()[d[1] - 1]);
      if (!lost.test(true, d)) {
        send.accept(d);
      }
    };
    ControlSession before = client.session();
    out.accept(client.start(System.nanoTime()));
    while (client.session() == before) {
      byte[] d = receiveUntil.apply(client.retransmitDeadline());
      if (d == null) {
        out.accept(client.retransmit(System.nanoTime()));
      } else if (d.length > 0 && d[0] == ControlCodec.MAGIC && !lost.test(false, d)
        && client.onDatagram(d, System.nanoTime()) instanceof ControlClient.Event.Send s) {
        out.accept(s.datagram());
      }
    }
    return sent;
  }

  /** The identity the handshake proves (a register must name its key). */
  NodeIdentity identity() {
    return identity;
  }

  /** Runs HELLO, COOKIE, INITIATION, RESPONSE over {@code send}/{@code receive} unless a session is up. */
  void handshake(Consumer<byte[]> send, Supplier<byte[]> receive) {
    if (client.session() != null) {
      return;
    }
    sendInitiation(send, receive);
    while (client.session() == null) {
      byte[] d = receive.get();
      if (d.length > 0 && d[0] == ControlCodec.MAGIC
        && client.onDatagram(d, System.nanoTime()) instanceof ControlClient.Event.Send s) {
        send.accept(s.datagram());
      }
    }
  }

  /** Sends a HELLO, and an INITIATION once the COOKIE came: the handshake's first round trip and a half. */
  void sendInitiation(Consumer<byte[]> send, Supplier<byte[]> receive) {
    send.accept(client.start(System.nanoTime()));
    while (client.state() == ControlClient.State.AWAIT_COOKIE) {
      byte[] d = receive.get();
      if (d.length > 0 && d[0] == ControlCodec.MAGIC
        && client.onDatagram(d, System.nanoTime()) instanceof ControlClient.Event.Send s) {
        send.accept(s.datagram());
      }
    }
  }

  /** True once a handshake completed. */
  boolean hasSession() {
    return client.session() != null;
  }

  /** {@code message} sealed in the session (handshake first). */
  byte[] seal(JsonObject message) {
    return client.seal(message.toBuffer().getBytes(), System.nanoTime());
  }

  /** The control message a sealed datagram of our session carries, or null for anything else. */
  JsonObject open(byte[] datagram) {
    if (datagram.length == 0 || datagram[0] != ControlCodec.MAGIC
      || !(client.onDatagram(datagram, System.nanoTime()) instanceof ControlClient.Event.Message m)) {
      return null;
    }
    try {
      return io.p2pchat.wire.ControlCodec.decodeBody(Buffer.buffer(m.payload()));
    } catch (WireException e) {
      return null;
    }
  }
}
