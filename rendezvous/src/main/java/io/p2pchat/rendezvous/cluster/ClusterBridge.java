package io.p2pchat.rendezvous.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Instance-to-instance messages over the clustered event bus: membership news published to every
 * instance, and control messages and relay frames sent point to point to the instance a client is
 * registered with. Fire and forget, like the UDP they stand in for: a message lost while an instance
 * dies is covered by the clients' retries and the registration TTL.
 */
final class ClusterBridge {

  /** Published to every instance: arrivals, departures, refreshes. */
  static final String MEMBERS_ADDRESS = "p2pchat.rendezvous.cluster.members";
  private static final String PREFIX = "p2pchat.rendezvous.cluster.node.";
  /** Header of a relayed frame: the target's relay id (decimal). */
  private static final String TARGET_HEADER = "to";
  /**
   * Nicks per refresh message: ~20 KB, well under the event bus's comfortable message size, so
   * 100,000 clients are refreshed in 100 messages.
   */
  static final int REFRESH_BATCH = 1000;

  private static final String EVENT = "e";
  private static final String ARRIVED = "arrived";
  /** Several arrivals in one message ({@link DirectoryWrites}' batches); an instance built before them ignores it, and learns
   * those clients from the next refresh instead. */
  private static final String ARRIVALS = "arrivals";
  private static final String DEPARTED = "departed";
  private static final String REFRESH = "refresh";

  private final EventBus bus;
  private final String self;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  ClusterBridge(Vertx vertx, String self) {
    this.bus = vertx.eventBus();
    this.self = self;
  }

  /** Subscribes (on the caller's context); completes once every subscription reached the cluster. */
  Future<Void> listen(RendezvousDirectory.Listener listener) {
    MessageConsumer<JsonObject> members = bus.consumer(MEMBERS_ADDRESS, msg -> onMembers(msg.body(), listener));
    MessageConsumer<JsonObject> control = bus.consumer(PREFIX + self + ".control",
      msg -> listener.deliver(msg.body().getString("nick"), msg.body().getJsonObject("control")));
    MessageConsumer<Buffer> relay = bus.consumer(PREFIX + self + ".relay",
      msg -> listener.relay(Long.parseLong(msg.headers().get(TARGET_HEADER)), msg.body()));
    consumers.add(members);
    consumers.add(control);
    consumers.add(relay);
    return Future.all(members.completion(), control.completion(), relay.completion()).mapEmpty();
  }

  private void onMembers(JsonObject event, RendezvousDirectory.Listener listener) {
    String owner = event.getString("owner");
    if (owner == null || owner.equals(self)) {
      return;
    }
    switch (event.getString(EVENT, "")) {
      case ARRIVED:
        listener.arrived(Member.fromJson(event.getJsonObject("member")), false);
        break;
      case ARRIVALS:
        for (Object m : event.getJsonArray("members", new JsonArray())) {
          listener.arrived(Member.fromJson((JsonObject) m), false);
        }
        break;
      case DEPARTED:
        listener.departed(event.getString("nick"), owner);
        break;
      case REFRESH:
        List<String> nicks = new ArrayList<>();
        event.getJsonArray("nicks", new JsonArray()).forEach(n -> nicks.add((String) n));
        listener.refreshed(owner, nicks);
        break;
      default:
        break;
    }
  }

  void arrived(Member member) {
    bus.publish(MEMBERS_ADDRESS, event(ARRIVED).put("member", member.toJson()));
  }

  /** Several arrivals, one message ({@link #REFRESH_BATCH} members at most per message). */
  void arrivals(List<Member> members) {
    for (int i = 0; i < members.size(); i += REFRESH_BATCH) {
      JsonArray batch = new JsonArray();
      members.subList(i, Math.min(members.size(), i + REFRESH_BATCH)).forEach(m -> batch.add(m.toJson()));
      bus.publish(MEMBERS_ADDRESS, event(ARRIVALS).put("members", batch));
    }
  }

  void departed(String nick) {
    bus.publish(MEMBERS_ADDRESS, event(DEPARTED).put("nick", nick));
  }

  void refreshed(List<String> nicks) {
    for (int i = 0; i < nicks.size(); i += REFRESH_BATCH) {
      bus.publish(MEMBERS_ADDRESS, event(REFRESH)
        .put("nicks", new JsonArray(new ArrayList<>(nicks.subList(i, Math.min(nicks.size(), i + REFRESH_BATCH))))));
    }
  }

  void deliver(String owner, String nick, JsonObject control) {
    bus.send(PREFIX + owner + ".control", new JsonObject().put("nick", nick).put("control", control));
  }

  void relay(String owner, long targetRelayId, Buffer frame) {
    bus.send(PREFIX + owner + ".relay", frame,
      new DeliveryOptions().addHeader(TARGET_HEADER, Long.toString(targetRelayId)));
  }

  Future<Void> close() {
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.join(done).mapEmpty();
  }

  private JsonObject event(String type) {
    return new JsonObject().put(EVENT, type).put("owner", self);
  }
}
