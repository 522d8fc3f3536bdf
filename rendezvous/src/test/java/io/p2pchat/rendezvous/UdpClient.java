package io.p2pchat.rendezvous;

import io.p2pchat.control.TicketWallet;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.ControlSigning;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.StunCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A test client of the rendezvous speaking raw UDP from the test thread (blocking, with a receive
 * timeout): it builds register/bye messages the way a node does, seals them in a control session (the
 * handshake runs, blocking, before the first control message), and can tell exactly which
 * datagrams one request caused by sending a "fence" (a STUN request with its own transaction id) after it.
 */
public final class UdpClient implements AutoCloseable {

  /** Generous for a loaded 2-core machine: an answer on loopback normally takes well under 1 ms. */
  private static final int RECEIVE_TIMEOUT_MS = 10_000;

  public final NodeIdentity identity;
  public final String nick;
  public final String room;
  public final String instance;
  private DatagramSocket socket;
  private final InetSocketAddress server;
  private final TestControl control;
  private long fences;
  private long bytesSent;

  public UdpClient(int serverPort, String nick, String room) {
    this(serverPort, nick, room, NodeIdentity.generate());
  }

  public UdpClient(int serverPort, String nick, String room, NodeIdentity identity) {
    this(serverPort, nick, room, identity, null);
  }

  /** A client that resumes with the tickets of {@code tickets} and keeps the ones it is given (null: none). */
  public UdpClient(int serverPort, String nick, String room, NodeIdentity identity, TicketWallet tickets) {
    this.identity = identity;
    this.nick = nick;
    this.room = room;
    this.instance = Long.toHexString(System.nanoTime());
    socket = newSocket();
    server = new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
    control = new TestControl(identity, "127.0.0.1:" + serverPort, null, tickets);
  }

  private static DatagramSocket newSocket() {
    try {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      s.setSoTimeout(RECEIVE_TIMEOUT_MS);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Moves to a new port, as a NAT rebinding does: the control session goes on (it roams), but it was not
   * answered at the new address, so a register from there is challenged.
   */
  public void roam() {
    socket.close();
    socket = newSocket();
  }

  /** A client of the rendezvous on loopback {@code serverPort}, registered in {@code room} (it fails the test if not). */
  public static UdpClient registered(int serverPort, String nick, String room) {
    UdpClient c = new UdpClient(serverPort, nick, room);
    JsonObject answer = c.register();
    if (!"registered".equals(answer.getString(Control.TYPE))) {
      c.close();
      throw new AssertionError(nick + " not registered: " + answer.encode());
    }
    return c;
  }

  /** Runs the control handshake (HELLO, COOKIE, INITIATION, RESPONSE) unless a session is up. */
  public void handshake() {
    control.handshake(this::send, this::receive);
  }

  /**
   * A new control session (resumed when a ticket is held) with retransmissions, the network losing what
   * {@code lost} says (out: {@code true}); returns the control datagram types sent, in order.
   */
  public List<io.p2pchat.control.ControlCodec.Type> establish(java.util.function.BiPredicate<Boolean, byte[]> lost) {
    return control.establish(this::send, this::receiveUntil, lost);
  }

  /** The next datagram before {@code deadlineNanos} ({@link System#nanoTime}), or null. */
  private byte[] receiveUntil(long deadlineNanos) {
    try {
      long leftMs = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
      socket.setSoTimeout((int) Math.min(leftMs, RECEIVE_TIMEOUT_MS));
      byte[] buf = new byte[2048];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
        return Arrays.copyOf(buf, p.getLength());
      } catch (SocketTimeoutException e) {
        return null;
      } finally {
        socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** The first register, without cookie and signature. */
  public JsonObject registration() {
    return registration(identity, nick, room, instance, "127.0.0.1:" + port());
  }

  /** The register answering a challenge: the registration plus cookie and signature. */
  public JsonObject signedRegistration(byte[] cookie) {
    return signed(registration(), identity, cookie);
  }

  /** A first register as a node sends it, with one local candidate. */
  public static JsonObject registration(NodeIdentity identity, String nick, String room, String instance, String local) {
    return Control.of(ControlType.REGISTER)
      .put(Control.VERSION, Control.PROTOCOL_VERSION)
      .put(Control.NICK, nick)
      .put(Control.ROOM, room)
      .put(Control.INSTANCE, instance)
      .put(Control.LOCAL, new JsonArray().add(local))
      .put(Control.KEY, Control.base64(identity.signingPublicKey()));
  }

  /** {@code registration} with the cookie of a challenge and the signature over both. */
  public static JsonObject signed(JsonObject registration, NodeIdentity identity, byte[] cookie) {
    byte[] signed = ControlSigning.register(Control.PROTOCOL_VERSION, cookie, identity.signingPublicKey(),
      registration.getString(Control.NICK), registration.getString(Control.ROOM), registration.getString(Control.INSTANCE),
      registration.getJsonArray(Control.LOCAL).stream().map(String.class::cast).toList());
    return registration.copy().put(Control.COOKIE, Control.base64(cookie))
      .put(Control.SIG, Control.base64(identity.sign(signed)));
  }

  /**
   * register, then (when challenged: the session was not answered at this address) the signed register:
   * returns the server's answer to the last one.
   */
  public JsonObject register() {
    return register(registration());
  }

  /** {@link #register()} of {@code registration} (this client's, with other fields such as its {@code local} list). */
  public JsonObject register(JsonObject registration) {
    sendControl(registration);
    JsonObject answer = receiveControl(null);
    while (!answersRegister(answer)) {
      answer = receiveControl(null); // an introduction or gone of an earlier registration
    }
    if (Control.type(answer) != ControlType.CHALLENGE) {
      return answer;
    }
    sendControl(signed(registration, identity, Base64.getDecoder().decode(answer.getString(Control.COOKIE))));
    return receiveControl(null);
  }

  /** True for what answers a register: a challenge, {@code registered} or an error. */
  static boolean answersRegister(JsonObject message) {
    ControlType type = Control.type(message);
    return type == ControlType.CHALLENGE || type == ControlType.REGISTERED || type == ControlType.ERROR;
  }

  public JsonObject signedBye() {
    return Control.of(ControlType.BYE).put(Control.NICK, nick).put(Control.INSTANCE, instance)
      .put(Control.SIG, Control.base64(identity.sign(ControlSigning.bye(identity.signingPublicKey(), nick, instance))));
  }

  /** {@code message} sealed in this client's control session (handshaking first if needed). */
  public Buffer encode(JsonObject message) {
    handshake();
    return Buffer.buffer(control.seal(message));
  }

  /** {@code message} as protocol 1 sent it: a cleartext CONTROL packet (the rendezvous drops it now). */
  public static Buffer unsealed(JsonObject message) {
    return ControlCodec.encode(message, 1);
  }

  public void sendControl(JsonObject message) {
    send(encode(message));
  }

  public void send(Buffer data) {
    send(data.getBytes());
  }

  /** Bytes of every datagram this client sent (an attacker's cost, in amplification tests). */
  public long bytesSent() {
    return bytesSent;
  }

  public void send(byte[] data) {
    bytesSent += data.length;
    try {
      socket.send(new DatagramPacket(data, data.length, server));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void sendText(String text) {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next datagram, or an assertion failure after the timeout. */
  public byte[] receive() {
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(p);
    } catch (SocketTimeoutException e) {
      throw new AssertionError(nick + ": no datagram within " + RECEIVE_TIMEOUT_MS + " ms");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Arrays.copyOf(buf, p.getLength());
  }

  /** The next CONTROL message of {@code type} (null: any), skipping others (introductions, gone...). */
  public JsonObject receiveControl(ControlType type) {
    while (true) {
      JsonObject msg = open(receive());
      if (msg != null && (type == null || type.wireName().equals(msg.getString(Control.TYPE)))) {
        return msg;
      }
    }
  }

  /**
   * The next CONTROL message of {@code type} (null: any) that arrives before {@code deadlineNanos}
   * ({@link System#nanoTime}), skipping others, or null when none did.
   */
  public JsonObject receiveControlUntil(ControlType type, long deadlineNanos) {
    try {
      while (true) {
        long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
          return null;
        }
        socket.setSoTimeout((int) Math.min(leftMs, RECEIVE_TIMEOUT_MS));
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (SocketTimeoutException e) {
          continue;
        }
        JsonObject msg = open(Arrays.copyOf(buf, p.getLength()));
        if (msg != null && (type == null || type.wireName().equals(msg.getString(Control.TYPE)))) {
          return msg;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Sends {@code request}, then a fence, and returns every datagram received before the fence's
   * answer: exactly what the request caused (loopback keeps the order of one socket pair).
   */
  public List<byte[]> exchange(byte[] request) {
    byte[] txId = new byte[StunCodec.TRANSACTION_ID_SIZE];
    ByteBuffer.wrap(txId).putLong(++fences);
    send(request);
    send(StunCodec.bindingRequest(txId));
    List<byte[]> answers = new ArrayList<>();
    while (true) {
      byte[] d = receive();
      if (d.length >= StunCodec.HEADER_SIZE && Arrays.equals(d, 8, StunCodec.HEADER_SIZE, txId, 0, txId.length)) {
        return answers;
      }
      answers.add(d);
    }
  }

  /** The JSON of a sealed control datagram of our session, or null for anything else. */
  public JsonObject open(byte[] datagram) {
    return control.open(datagram);
  }

  @Override
  public void close() {
    socket.close();
  }
}
