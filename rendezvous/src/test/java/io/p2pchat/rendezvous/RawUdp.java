package io.p2pchat.rendezvous;

import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
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
  private long counter;

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

  public void sendControl(JsonObject message, int port) throws IOException {
    send(ControlCodec.encode(message, ++counter), port);
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
      if (DatagramKind.of(Buffer.buffer(data)) != DatagramKind.PACKET) {
        return new String(data, StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError("no text answer within " + RECEIVE_TIMEOUT_MS + " ms");
  }

  /** The next CONTROL message of {@code type}, skipping everything else. */
  public JsonObject receiveControl(ControlType type) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECEIVE_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      Buffer data = Buffer.buffer(receive());
      try {
        if (DatagramKind.of(data) == DatagramKind.PACKET
          && PacketCodec.decodeHeader(data).type() == PacketType.CONTROL) {
          JsonObject msg = ControlCodec.decode(data);
          if (Control.type(msg) == type) {
            return msg;
          }
        }
      } catch (WireException e) {
        throw new AssertionError("the rendezvous sent a packet that does not parse: " + e.getMessage());
      }
    }
    throw new AssertionError("no " + type.wireName() + " within " + RECEIVE_TIMEOUT_MS + " ms");
  }

  /**
   * A plain-text command padded with trailing spaces to 400 bytes: an unregistered sender earns an
   * answer of at most 3 times what it sent (anti-amplification), so 400 bytes earn a full datagram.
   */
  public static String padded(String command) {
    return command + " ".repeat(Math.max(0, 400 - command.length()));
  }

  /**
   * Registers {@code nick} from this socket as a node does (register, challenge, signed register
   * with a fresh identity) and waits for {@code registered}.
   */
  public JsonObject register(String nick, String room, int rendezvousPort) throws IOException {
    NodeIdentity identity = NodeIdentity.generate();
    JsonObject registration = UdpClient.registration(identity, nick, room, "instance-of-" + nick, "127.0.0.1:" + port());
    sendControl(registration, rendezvousPort);
    byte[] cookie = Base64.getDecoder().decode(receiveControl(ControlType.CHALLENGE).getString(Control.COOKIE));
    sendControl(UdpClient.signed(registration, identity, cookie), rendezvousPort);
    return receiveControl(ControlType.REGISTERED);
  }

  @Override
  public void close() {
    socket.close();
  }
}
