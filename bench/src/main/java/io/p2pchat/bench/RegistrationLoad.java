package io.p2pchat.bench;

import io.p2pchat.control.ControlClient;
import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.ControlSigning;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * The steps of a registration exactly as a node takes them (the sealed control channel's cookie round
 * and IK handshake, then register, the server's cookie challenge, the register signed with Ed25519 over
 * the cookie, {@code registered}, all sealed), over a blocking socket the caller bound: shared by
 * {@link SimulatedClients} and {@link MailboxBench}.
 */
final class RegistrationLoad {

  /** Source hosts of the plain look-ups ({@link LookupLoad}): 127.0.0.2 .. 127.0.0.251. */
  static final int SOURCE_HOSTS = 250;
  /** Clients in the room the plain {@code peer N} look-ups read. */
  static final int ROOM_SIZE = 4;
  /** A loopback answer takes well under a millisecond; on a saturated 2-core machine, allow seconds. */
  static final int ANSWER_TIMEOUT_MS = 2_000;
  static final int ATTEMPTS = 5;

  private RegistrationLoad() {
  }

  /** The first, unsigned {@code register} of {@code key} as {@code nick} in {@code room}, without local candidates. */
  static JsonObject registration(NodeIdentity key, String nick, String room, String instance) {
    return Control.of(ControlType.REGISTER)
        .put(Control.VERSION, Control.PROTOCOL_VERSION)
        .put(Control.NICK, nick)
        .put(Control.ROOM, room)
        .put(Control.INSTANCE, instance)
        .put(Control.LOCAL, new JsonArray())
        .put(Control.KEY, Control.base64(key.signingPublicKey()));
  }

  /**
   * Runs the control handshake and registers {@code registration} (unsigned, with {@code key}'s nick, room and
   * instance) over {@code s}, each step tried {@link #ATTEMPTS} times; true once {@code registered} came.
   */
  static boolean registerWith(DatagramSocket s, InetSocketAddress server, ControlClient control, NodeIdentity key,
      JsonObject registration) throws IOException {
    try {
      for (int attempt = 0; attempt < ATTEMPTS && control.session() == null; attempt++) {
        handshake(s, server, control);
      }
      if (control.session() == null) {
        return false;
      }
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        JsonObject challenge = ask(s, server, control, registration, ControlType.CHALLENGE);
        if (challenge == null) {
          continue;
        }
        if (Control.type(challenge) == ControlType.REGISTERED) {
          return true; // admitted without a challenge: the session's handshake proved the address
        }
        byte[] cookie = Control.bytes(challenge, Control.COOKIE, AddressCookie.LENGTH);
        byte[] signed = ControlSigning.register(Control.PROTOCOL_VERSION, cookie, key.signingPublicKey(),
            registration.getString(Control.NICK), registration.getString(Control.ROOM),
            registration.getString(Control.INSTANCE), List.of());
        JsonObject answer = ask(s, server, control, registration.copy().put(Control.COOKIE, Control.base64(cookie))
            .put(Control.SIG, Control.base64(key.sign(signed))), ControlType.REGISTERED);
        if (answer != null) {
          return true;
        }
      }
    } catch (WireException e) {
      return false;
    }
    return false;
  }

  /** One try of the control handshake (HELLO, COOKIE, INITIATION, RESPONSE): ends with a session, or at a timeout. */
  static void handshake(DatagramSocket s, InetSocketAddress to, ControlClient control) throws IOException {
    byte[] out = control.start(System.nanoTime());
    while (control.session() == null) {
      s.send(new DatagramPacket(out, out.length, to));
      byte[] in = receive(s);
      if (in == null) {
        return;
      }
      if (control.onDatagram(in, System.nanoTime()) instanceof ControlClient.Event.Send next) {
        out = next.datagram();
      } else if (control.session() == null) {
        return;
      }
    }
  }

  static byte[] receive(DatagramSocket s) throws IOException {
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      s.receive(p);
    } catch (SocketTimeoutException e) {
      return null;
    }
    return java.util.Arrays.copyOf(p.getData(), p.getLength());
  }

  /**
   * Sends {@code msg} sealed and waits for an answer of type {@code wanted} (or {@code registered}, which a first
   * register gets at once from a session answered at this address); null on timeout or an error answer.
   */
  private static JsonObject ask(DatagramSocket s, InetSocketAddress to, ControlClient control, JsonObject msg,
      ControlType wanted) throws IOException, WireException {
    byte[] out = control.seal(msg.toBuffer().getBytes(), System.nanoTime());
    s.send(new DatagramPacket(out, out.length, to));
    while (true) {
      byte[] in = receive(s);
      if (in == null) {
        return null;
      }
      if (!(control.onDatagram(in, System.nanoTime()) instanceof ControlClient.Event.Message m)) {
        continue;
      }
      JsonObject answer = ControlCodec.decodeBody(Buffer.buffer(m.payload()));
      ControlType type = Control.type(answer);
      if (type == wanted || type == ControlType.REGISTERED) {
        return answer;
      }
      if (type == ControlType.ERROR) {
        return null;
      }
    }
  }
}
