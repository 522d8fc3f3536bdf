package io.p2pchat.console;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.common.Plural;
import io.p2pchat.node.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A terminal front end that uses only the node's public event-bus API: lines typed go to the
 * room, commands start with {@code /}, and every event is one line (formats in README). Reading
 * the input blocks, so it runs on its own thread; every line is handled and printed on the
 * verticle's event loop.
 */
public class ConsoleVerticle extends VerticleBase {

  /** Texts of sent messages remembered for their {@code ! not delivered} lines. */
  private static final int REMEMBERED_TEXTS = 1_000;
  /**
   * Why the "picked up" summary waits: receipts of a mailbox's messages arrive as the peer's pick-up goes;
   * a second without one means the burst is over, so 100 receipts make one line, not 100.
   */
  static final long PICKED_UP_SUMMARY_MS = 1_000;
  /** Messages {@code /history} shows when given no number. */
  private static final int DEFAULT_HISTORY = 20;

  private final NodeOptions options;
  private final Supplier<Future<?>> leave;
  private final InputStream in;
  private final PrintStream out;
  private final Map<String, String> peerStates = new HashMap<>();
  private final Set<String> announced = new HashSet<>();
  private final Map<String, String> sentTexts = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > REMEMBERED_TEXTS;
    }
  };
  private final MailboxLines mailboxLines = new MailboxLines();
  /** The timer of the next "picked up" summary, or -1 while none is due. */
  private long pickedUpTimer = -1;
  private ChatAddresses addresses;
  private String rendezvousState;
  /** The last "up" was over the TLS fallback: the next one over UDP says "up over UDP". */
  private boolean wasUpOverTls;
  private volatile boolean stopped;

  /**
   * @param leave undeploys the node this console belongs to (for {@code /quit} and end of input)
   */
  public ConsoleVerticle(NodeOptions options, InputStream in, PrintStream out, Supplier<Future<?>> leave) {
    this.options = options;
    this.leave = leave;
    this.in = in;
    this.out = out;
  }

  @Override
  public Future<?> start() {
    addresses = new ChatAddresses(options.eventBusPrefix());
    var bus = vertx.eventBus();
    bus.<JsonObject>consumer(addresses.received(), m -> onReceived(m.body()));
    bus.<JsonObject>consumer(addresses.sent(), m -> onSent(m.body()));
    bus.<JsonObject>consumer(addresses.failed(), m -> onFailed(m.body()));
    bus.<JsonObject>consumer(addresses.queued(), m -> onQueued(m.body()));
    bus.<JsonObject>consumer(addresses.delivered(), m -> onDelivered(m.body()));
    bus.<JsonObject>consumer(addresses.peerState(), m -> onPeerState(m.body()));
    bus.<JsonObject>consumer(addresses.rendezvousState(), m -> onRendezvousState(m.body()));
    bus.<JsonObject>consumer(addresses.lanState(), m -> onLanState(m.body()));
    bus.<JsonObject>consumer(addresses.peerUntrusted(), m -> onUntrusted(m.body()));
    print("* " + options.nick() + " in room " + options.room() + ": type to chat, /help for commands");
    bus.<JsonObject>request(addresses.node(), new JsonObject()).onSuccess(reply -> {
      print("* your key fingerprint: " + reply.body().getString("fingerprint"));
      // The node may have registered before this console subscribed: say where it stands now.
      if (rendezvousState == null && reply.body().getJsonObject("rendezvous") != null) {
        onRendezvousState(reply.body().getJsonObject("rendezvous"));
      }
    });
    Thread reader = new Thread(this::readLines, "p2pchat-console-" + options.nick());
    reader.setDaemon(true);
    reader.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return Future.succeededFuture();
  }

  private void readLines() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while (!stopped && (line = reader.readLine()) != null) {
        String typed = line;
        context.runOnContext(v -> onLine(typed));
      }
    } catch (IOException e) {
      // The terminal went away: same as end of input.
    }
    if (!stopped) {
      context.runOnContext(v -> quit());
    }
  }

  void onLine(String line) {
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return;
    }
    if (!trimmed.startsWith("/")) {
      send(new JsonObject().put("text", line));
      return;
    }
    String[] words = trimmed.split("\\s+", 3);
    switch (words[0]) {
      case "/msg":
        if (words.length < 3) {
          print("! usage: /msg NICK TEXT");
        } else {
          send(new JsonObject().put("to", words[1]).put("text", words[2]));
        }
        break;
      case "/list":
        listPeers(false);
        break;
      case "/peers":
        listPeers(true);
        break;
      case "/history":
        history(words.length > 1 ? words[1] : null);
        break;
      case "/whois":
        whois(words.length > 1 ? words[1] : null);
        break;
      case "/accept":
        if (words.length < 3) {
          print("! usage: /accept NICK FINGERPRINT (the new fingerprint, after comparing it with NICK out of band)");
        } else {
          // The rest of the line: a fingerprint is shown in groups of four digits.
          vertx.eventBus().<JsonObject>request(addresses.peerAccept(),
              new JsonObject().put("nick", words[1]).put("fingerprint", words[2]))
            .onSuccess(r -> print("* accepted the new key of " + ConsoleFormat.safe(r.body().getString("nick"))
              + ": " + r.body().getString("fingerprint")))
            .onFailure(e -> print("! " + ConsoleFormat.escape(String.valueOf(e.getMessage()))));
        }
        break;
      case "/netcheck":
        netcheck();
        break;
      case "/stats":
        stats();
        break;
      case "/quit":
        quit();
        break;
      case "/help":
        print("* commands: /msg NICK TEXT, /list, /peers, /whois [NICK], /accept NICK FINGERPRINT, /history [N], /netcheck, /stats, /quit;"
          + " any other line goes to the room");
        break;
      default:
        print("! unknown command " + ConsoleFormat.escape(words[0]) + ": /help lists them");
    }
  }

  private void send(JsonObject request) {
    vertx.eventBus().<JsonObject>request(addresses.send(), request)
      .onFailure(e -> print("! not sent: " + ConsoleFormat.escape(String.valueOf(e.getMessage()))));
  }

  private void listPeers(boolean details) {
    vertx.eventBus().<JsonObject>request(addresses.peers(), new JsonObject()).onSuccess(reply -> {
      JsonArray peers = reply.body().getJsonArray("peers");
      if (peers.isEmpty()) {
        print("* no peers yet");
        return;
      }
      if (!details) {
        StringBuilder nicks = new StringBuilder("* peers:");
        peers.forEach(p -> nicks.append(' ').append(ConsoleFormat.safe(((JsonObject) p).getString("nick"))));
        print(nicks.toString());
        return;
      }
      for (Object p : peers) {
        JsonObject peer = (JsonObject) p;
        Double rtt = peer.getDouble("rttMs");
        String fingerprint = peer.getString("fingerprint");
        print(String.format("* %-16s %-35s %-14s %s", ConsoleFormat.safe(peer.getString("nick")),
          ConsoleFormat.pathAndAddress(peer),
          rtt == null ? "" : String.format("rtt %.2f ms", rtt),
          fingerprint == null ? "" : "key " + fingerprint.substring(0, Math.min(9, fingerprint.length())) + "…"));
      }
    });
  }

  /** A peer's key fingerprint (or ours), to compare out of band. */
  private void whois(String nick) {
    if (nick == null) {
      vertx.eventBus().<JsonObject>request(addresses.node(), new JsonObject())
        .onSuccess(r -> print("* you are " + options.nick() + ", key " + r.body().getString("fingerprint")));
      return;
    }
    vertx.eventBus().<JsonObject>request(addresses.peers(), new JsonObject()).onSuccess(reply -> {
      for (Object p : reply.body().getJsonArray("peers")) {
        JsonObject peer = (JsonObject) p;
        if (nick.equals(peer.getString("nick"))) {
          String fingerprint = peer.getString("fingerprint");
          print("* " + ConsoleFormat.safe(nick) + " key " + (fingerprint == null ? "not proven yet (no session)" : fingerprint));
          return;
        }
      }
      print("! no peer " + ConsoleFormat.escape(nick));
    });
  }

  private void netcheck() {
    vertx.eventBus().<JsonObject>request(addresses.netcheck(), new JsonObject()).onSuccess(reply -> {
      JsonObject r = reply.body();
      for (Object s : r.getJsonArray("sources")) {
        JsonObject source = (JsonObject) s;
        print("* netcheck: " + source.getString("server") + " sees you as " + source.getString("mapped"));
      }
      if ("blocked".equals(r.getString("udp"))) {
        print("* netcheck: udp: blocked (the rendezvous answers over TLS only; peers are reached through its relay)");
      }
      switch (r.getString("mapping")) {
        case "per-destination":
          print("* netcheck: your NAT maps per destination (a hard NAT): peers reach you through the relay");
          break;
        case "endpoint-independent":
          print("* netcheck: your NAT keeps one public address for every destination: direct paths can be punched");
          break;
        default:
          print("* netcheck: " + r.getJsonArray("sources").size() + " of "
            + Plural.of(r.getInteger("sourcesAsked"), "STUN source") + " answered; two are needed to tell how your NAT maps (set stunServers)");
      }
      print("* netcheck: port mapping " + portMapLine(r.getJsonObject("portMapping", new JsonObject())));
    });
  }

  /** The netcheck's {@code portMapping} in words: what is mapped, or why nothing is. */
  static String portMapLine(JsonObject portMap) {
    JsonObject mapped = portMap.getJsonObject("mapping");
    if (mapped != null) {
      return mapped.getString("protocol") + " forwards " + mapped.getString("external") + " to you (peers told: "
        + portMap.getString("reported") + ")";
    }
    String state = String.valueOf(portMap.getString("state"));
    if ("off".equals(state)) {
      return "off (portMapping false, or no LAN address a gateway could forward to)";
    }
    JsonArray answered = portMap.getJsonArray("answered", new JsonArray());
    String gateway = portMap.getString("gateway");
    if (gateway == null) {
      return state + " (no default gateway)";
    }
    return state + (answered.isEmpty() ? " (" + gateway + " answered none of NAT-PMP, PCP, UPnP)"
      : " (" + gateway + " answered " + String.join(", ", answered.stream().map(String::valueOf).toList()) + ")");
  }

  /**
   * The node's datagram counters in one line: {@code * stats: datagrams in N out N; drops total N
   * REASON=N ...} (the reasons in {@code DropReason} order), so a user can see that forged or broken
   * datagrams reached the node and were refused.
   */
  private void stats() {
    vertx.eventBus().<JsonObject>request(addresses.stats(), new JsonObject()).onSuccess(reply -> {
      JsonObject r = reply.body();
      JsonObject drops = r.getJsonObject("drops");
      StringBuilder line = new StringBuilder("* stats: datagrams in ").append(r.getLong("datagramsIn"))
        .append(" out ").append(r.getLong("datagramsOut")).append("; drops total ").append(drops.getLong("total"));
      drops.fieldNames().stream().filter(k -> !k.equals("total"))
        .forEach(k -> line.append(' ').append(k).append('=').append(drops.getLong(k)));
      print(line.toString());
    });
  }

  private void onUntrusted(JsonObject event) {
    String nick = ConsoleFormat.safe(event.getString("nick"));
    print("! KEY CHANGED for " + nick + ": known " + event.getString("knownFingerprint") + ", now "
      + event.getString("fingerprint") + ". Refused. If " + nick + " really has a new key (compare it with them),"
      + " type /accept " + nick + " " + event.getString("fingerprint"));
  }

  private void history(String count) {
    int limit;
    try {
      limit = count == null ? DEFAULT_HISTORY : Integer.parseInt(count);
    } catch (NumberFormatException e) {
      print("! usage: /history [N]");
      return;
    }
    vertx.eventBus().<JsonObject>request(addresses.history(), new JsonObject().put("limit", Math.max(1, limit)))
      .onSuccess(reply -> {
        JsonArray messages = reply.body().getJsonArray("messages");
        print("* last " + Plural.of(messages.size(), "message") + ":");
        for (Object m : messages) {
          JsonObject msg = (JsonObject) m;
          print(ConsoleFormat.message(msg.getLong("ts"), msg.getString("from"), ConsoleFormat.historyQualifier(msg),
            msg.getString("text")));
        }
      });
  }

  private void quit() {
    if (stopped) {
      return;
    }
    stopped = true;
    print("* leaving");
    // Leaving makes PunchVerticle say goodbye to every peer; then the process may end.
    leave.get().onComplete(ar -> {
      if (vertx.deploymentIDs().isEmpty()) {
        vertx.close();
      }
    });
  }

  private void onReceived(JsonObject msg) {
    print(ConsoleFormat.message(msg.getLong("ts"), msg.getString("from"),
      msg.getString("to") == null ? null : "private", msg.getString("text")));
  }

  private void onSent(JsonObject msg) {
    sentTexts.put(msg.getString("id"), msg.getString("text"));
    String to = msg.getString("to");
    print(ConsoleFormat.message(msg.getLong("ts"), options.nick(), to == null ? null : "private to " + to,
      msg.getString("text")));
  }

  private void onQueued(JsonObject msg) {
    String line = mailboxLines.onQueued(msg.getString("id"), ConsoleFormat.safe(msg.getString("peer")));
    if (line != null) {
      print(line);
    }
  }

  private void onDelivered(JsonObject msg) {
    if (mailboxLines.onDelivered(msg.getString("id"), ConsoleFormat.safe(msg.getString("peer")))) {
      if (pickedUpTimer >= 0) {
        vertx.cancelTimer(pickedUpTimer);
      }
      pickedUpTimer = vertx.setTimer(PICKED_UP_SUMMARY_MS, t -> {
        pickedUpTimer = -1;
        mailboxLines.summary().forEach(this::print);
      });
    }
  }

  private void onFailed(JsonObject msg) {
    mailboxLines.onFailed(msg.getString("id"));
    print(ConsoleFormat.notDelivered(msg.getString("peer"), sentTexts.get(msg.getString("id")), msg.getString("reason")));
  }

  private void onPeerState(JsonObject event) {
    String nick = ConsoleFormat.safe(event.getString("nick"));
    String state = ConsoleFormat.path(event);
    String where = ConsoleFormat.pathAndAddress(event);
    String previous = peerStates.put(nick, where);
    if (state.equals("gone")) {
      peerStates.remove(nick);
      if (announced.remove(nick)) {
        print("* " + nick + " left");
      }
    } else if (!state.equals("connecting") && announced.add(nick)) {
      mailboxLines.onOnline(nick);
      print("* " + nick + " connected (" + where + ")");
    } else if (announced.contains(nick) && !where.equals(previous)) {
      print("* " + nick + " path " + where);
    }
  }

  private void onLanState(JsonObject event) {
    if ("lan-only".equals(event.getString("state"))) {
      print("* no rendezvous: LAN only");
    } else if ("none-found".equals(event.getString("state"))) {
      print("* no LAN peer found" + (event.getLong("afterSeconds", 0L) > 0
        ? " in " + event.getLong("afterSeconds") + " s (multicast may be blocked here)" : " (LAN discovery is off here)"));
    }
  }

  private void onRendezvousState(JsonObject event) {
    String state = event.getString("state");
    String error = event.getString("error");
    String transport = event.getString("transport", "udp");
    if (error != null) {
      print("! rendezvous " + event.getString("address") + ": " + ConsoleFormat.escape(error));
    } else if (!(state + transport).equals(rendezvousState) && !state.equals("registering")) {
      print(!state.equals("up")
        ? "* rendezvous " + event.getString("address") + " unreachable: retrying (connected peers keep chatting)"
        : transport.equals("tls") ? "* rendezvous " + event.getString("address") + " up over TLS"
          + (event.getString("proxy") == null ? "" : " via proxy " + event.getString("proxy")) + " (UDP blocked)"
        : wasUpOverTls ? "* rendezvous " + event.getString("address") + " up over UDP"
        : "* rendezvous " + event.getString("address") + " up: registered as " + options.nick());
      if (state.equals("up")) {
        wasUpOverTls = transport.equals("tls");
      }
    }
    rendezvousState = error != null ? rendezvousState : state + transport;
  }

  private void print(String line) {
    out.println(line);
    out.flush();
  }
}
