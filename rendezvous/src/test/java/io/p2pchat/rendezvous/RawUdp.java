package io.p2pchat.rendezvous;

import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DatagramKind;
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
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A plain JDK UDP socket on 127.0.0.1, as netcat or a foreign client would use: sends raw bytes,
 * reads answers with a deadline. Blocking, for the test thread only.
 */
public final class RawUdp implements AutoCloseable {

  /** Longest wait for one answer. */
  private static final int RECEIVE_TIMEOUT_MS = 20_000;
  /** Larger than any datagram we send or expect. */
  private static final int RECEIVE_BUFFER = 4096;

  private final DatagramSocket socket;
  /** The sealed control channel, made for the first rendezvous this socket speaks control to. */
  private TestControl control;
  private int controlPort;

  public RawUdp() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
  }

  public int port() {
    return socket.getLocalPort();
  }

  public void send(byte[] data, int port) throws IOException {
    socket.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
  }

  public void send(Buffer data, int port) throws IOException {
    send(data.getBytes(), port);
  }

  public void sendText(String text, int port) throws IOException {
    send(text.getBytes(StandardCharsets.US_ASCII), port);
  }

  /** Sends {@code message} sealed, running the control handshake with the rendezvous at {@code port} first. */
  public void sendControl(JsonObject message, int port) throws IOException {
    if (control == null) {
      control = new TestControl(NodeIdentity.generate(), port);
      controlPort = port;
    }
    if (port != controlPort) {
      throw new IllegalStateException("one rendezvous per RawUdp");
    }
    control.handshake(d -> {
      try {
        send(d, port);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, () -> {
      try {
        return receive();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    send(control.seal(message), port);
  }

  /** The next datagram, whatever it is; fails the test after the timeout. */
  public byte[] receive() throws IOException {
    DatagramPacket packet = new DatagramPacket(new byte[RECEIVE_BUFFER], RECEIVE_BUFFER);
    try {
      socket.receive(packet);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer within " + RECEIVE_TIMEOUT_MS + " ms on port " + port());
    }
    return Arrays.copyOf(packet.getData(), packet.getLength());
  }

  /** The next plain-text datagram, skipping p2pchat packets (probes, introductions). */
  public String receiveText() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECEIVE_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      byte[] data = receive();
      DatagramKind kind = DatagramKind.of(Buffer.buffer(data));
      if (kind != DatagramKind.PACKET && kind != DatagramKind.CONTROL) {
        return new String(data, StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError("no text answer within " + RECEIVE_TIMEOUT_MS + " ms");
  }

  /** The next CONTROL message of one of {@code types}, skipping everything else. */
  public JsonObject receiveControl(ControlType... types) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECEIVE_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      JsonObject msg = control == null ? null : control.open(receive());
      if (msg != null && java.util.Arrays.asList(types).contains(Control.type(msg))) {
        return msg;
      }
    }
    throw new AssertionError("no " + java.util.Arrays.toString(types) + " within " + RECEIVE_TIMEOUT_MS + " ms");
  }

  /**
   * A plain-text command padded with trailing spaces to 400 bytes: an unregistered sender earns an
   * answer of at most 3 times what it sent (anti-amplification), so 400 bytes earn a full datagram.
   */
  public static String padded(String command) {
    return command + " ".repeat(Math.max(0, 400 - command.length()));
  }

  /**
   * Registers {@code nick} from this socket as a node does (register, and when challenged the signed register,
   * with a fresh identity) and waits for {@code registered}.
   */
  public JsonObject register(String nick, String room, int rendezvousPort) throws IOException {
    if (control == null) {
      control = new TestControl(NodeIdentity.generate(), rendezvousPort);
      controlPort = rendezvousPort;
    }
    NodeIdentity identity = control.identity();
    JsonObject registration = UdpClient.registration(identity, nick, room, "instance-of-" + nick, "127.0.0.1:" + port());
    sendControl(registration, rendezvousPort);
    JsonObject answer = receiveControl(ControlType.CHALLENGE, ControlType.REGISTERED);
    if (Control.type(answer) != ControlType.CHALLENGE) {
      return answer; // admitted at once: the session was answered at this socket's address
    }
    byte[] cookie = Base64.getDecoder().decode(answer.getString(Control.COOKIE));
    sendControl(UdpClient.signed(registration, identity, cookie), rendezvousPort);
    return receiveControl(ControlType.REGISTERED);
  }

  @Override
  public void close() {
    socket.close();
  }
}
