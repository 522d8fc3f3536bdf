package io.p2pchat.rendezvous;

import io.p2pchat.control.ChannelBinding;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.rendezvous.tls.WebSocketIngress;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test client of the rendezvous over its TLS transport, as a node behind a UDP-blocking firewall will
 * be one: a WebSocket on {@link WebSocketIngress#PATH} under TLS that trusts any certificate (no pin:
 * the worst case), whose control handshake is bound to the leaf certificate it saw
 * ({@link ChannelBinding}). Blocking, from the test thread, like {@link UdpClient}: datagrams arrive in a
 * queue; {@link #pauseReading} stops reading the socket (a slow reader).
 */
public final class WsClient implements AutoCloseable {

  /** Generous for a loaded 2-core machine. */
  private static final long TIMEOUT_MS = 10_000;

  public final NodeIdentity identity = NodeIdentity.generate();
  public final String nick;
  public final String room;
  public final String instance = Long.toHexString(System.nanoTime());
  private final Vertx vertx = Vertx.vertx();
  private final BlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private final WebSocket ws;
  /** SHA-256 of the leaf certificate the server presented. */
  public final byte[] certificateHash;
  private final TestControl control;

  /** Connects to 127.0.0.1:{@code tlsPort}; throws when the upgrade is refused. */
  public WsClient(int tlsPort, String nick, String room) {
    this(tlsPort, nick, room, 0);
  }

  /** With a socket receive buffer of {@code receiveBufferBytes} (0: the kernel's, autotuned), for a slow reader. */
  public WsClient(int tlsPort, String nick, String room, int receiveBufferBytes) {
    this.nick = nick;
    this.room = room;
    WebSocketClientOptions options = new WebSocketClientOptions().setSsl(true).setTrustAll(true)
      .setVerifyHost(false).setMaxFrameSize(2 * io.p2pchat.wire.PacketCodec.MAX_DATAGRAM);
    if (receiveBufferBytes > 0) {
      options.setReceiveBufferSize(receiveBufferBytes);
    }
    WebSocketClient client = vertx.createWebSocketClient(options);
    ws = RendezvousHarness.await(connect(client, tlsPort));
    ws.binaryMessageHandler(b -> inbox.add(b.getBytes()));
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    try {
      certificateHash = ChannelBinding.tlsServerEndPoint(((X509Certificate) ws.peerCertificates().get(0)).getEncoded());
    } catch (CertificateEncodingException | javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new AssertionError(e);
    }
    control = new TestControl(identity, "127.0.0.1:" + tlsPort, certificateHash);
  }

  /** A WebSocket upgrade to 127.0.0.1:{@code tlsPort}, which may be refused (failed Future). */
  public static Future<WebSocket> connect(WebSocketClient client, int tlsPort) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(tlsPort)
      .setURI(WebSocketIngress.PATH).setSsl(true));
  }

  /** Runs the control handshake unless a session is up. */
  public void handshake() {
    control.handshake(this::send, this::receive);
  }

  /** Sends a HELLO and, once the COOKIE came, an INITIATION; does not wait for the RESPONSE. */
  public void sendInitiation() {
    control.sendInitiation(this::send, this::receive);
  }

  /** True once the control handshake completed. */
  public boolean hasSession() {
    return control.hasSession();
  }

  /** register (and, when challenged, the signed register): returns the server's answer to the last one. */
  public JsonObject register() {
    JsonObject first = UdpClient.registration(identity, nick, room, instance, "127.0.0.1:1");
    sendControl(first);
    JsonObject answer = receiveControl(null);
    while (!UdpClient.answersRegister(answer)) {
      answer = receiveControl(null); // an introduction or gone of an earlier registration
    }
    if (Control.type(answer) != ControlType.CHALLENGE) {
      return answer; // the session was answered on this connection: no challenge needed
    }
    sendControl(UdpClient.signed(first, identity, Base64.getDecoder().decode(answer.getString(Control.COOKIE))));
    return receiveControl(null);
  }

  public void sendControl(JsonObject message) {
    handshake();
    send(control.seal(message));
  }

  public void send(byte[] datagram) {
    RendezvousHarness.await(ws.writeBinaryMessage(Buffer.buffer(datagram)));
  }

  public void sendText(String text) {
    RendezvousHarness.await(ws.writeTextMessage(text));
  }

  /** The next datagram, or an assertion failure after the timeout. */
  public byte[] receive() {
    try {
      byte[] d = inbox.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (d == null) {
        throw new AssertionError(nick + ": no datagram within " + TIMEOUT_MS + " ms");
      }
      return d;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next control message of {@code type} (null: any), skipping others. */
  public JsonObject receiveControl(ControlType type) {
    while (true) {
      JsonObject msg = control.open(receive());
      if (msg != null && (type == null || type.wireName().equals(msg.getString(Control.TYPE)))) {
        return msg;
      }
    }
  }

  /** The next datagram whose first byte is not the control channel's (a relay frame, say). */
  public byte[] receiveOther() {
    while (true) {
      byte[] d = receive();
      if (d.length > 0 && d[0] != io.p2pchat.control.ControlCodec.MAGIC) {
        return d;
      }
    }
  }

  /** Stops reading from the connection: the server's writes back up. */
  public void pauseReading() {
    vertx.runOnContext(v -> ws.pause());
  }

  /** Datagrams received and not yet taken. */
  public int queued() {
    return inbox.size();
  }

  /** The close code the server closed the connection with, once it did. */
  public short awaitClose() {
    try {
      return closed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(nick + ": connection not closed within " + TIMEOUT_MS + " ms", e);
    }
  }

  @Override
  public void close() {
    // The close handshake first: Vert.x's own shutdown may otherwise wait out its 30 s grace period.
    if (!ws.isClosed()) {
      ws.handler(null).binaryMessageHandler(null).resume(); // a paused reader would never see the server's close frame
      RendezvousHarness.await(ws.close());
    }
    RendezvousHarness.await(vertx.close());
  }
}
