package io.p2pchat.rendezvous.cluster;

import com.hazelcast.config.InMemoryXmlConfig;
import com.hazelcast.core.HazelcastInstance;
import io.p2pchat.rendezvous.mailbox.ClusteredMailbox;
import io.p2pchat.rendezvous.mailbox.MailboxKey;
import io.p2pchat.rendezvous.mailbox.MailboxOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** One instance of a clustered mailbox for the tests: a clustered Vert.x over Hazelcast and its mailbox. */
final class MailboxMember {
  /** Joining a cluster and opening a mailbox on a loaded 2-core machine. */
  static final long START_SECONDS = 90;
  static final MailboxKey ALICE = key(1);
  static final MailboxKey BOB = key(2);
  /** Bounds far above what the tests deposit: they are about replication, not bounds. */
  static final int BOUND = 100_000;

  final Vertx vertx;
  final ClusteredMailbox mailbox;
  final HazelcastInstance hazelcast;

  private MailboxMember(Vertx vertx, ClusteredMailbox mailbox) {
    this.vertx = vertx;
    this.mailbox = mailbox;
    this.hazelcast = ((HazelcastClusterManager) ((io.vertx.core.internal.VertxInternal) vertx).clusterManager())
        .getHazelcastInstance();
  }

  static MailboxOptions options() {
    return new MailboxOptions().setMaxPerRecipient(BOUND).setMaxPerDepositor(BOUND)
        .setMaxBytesPerRecipient(Integer.MAX_VALUE).setMaxBytesPerDepositor(Integer.MAX_VALUE);
  }

  /** Joins the cluster {@code hazelcastXml} describes and opens a mailbox on {@code dir}. BLOCKING. */
  static MailboxMember start(String hazelcastXml, Path dir) throws Exception {
    HazelcastClusterManager manager = new HazelcastClusterManager(new InMemoryXmlConfig(hazelcastXml));
    Vertx vertx = await(Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(manager)
        .buildClustered());
    try {
      return new MailboxMember(vertx, await(ClusteredMailbox.open(vertx, dir, options())));
    } catch (Exception e) {
      await(vertx.close());
      throw e;
    }
  }

  /** Closes the mailbox and leaves the cluster. BLOCKING. */
  void stop() throws Exception {
    try {
      await(mailbox.close());
    } finally {
      await(vertx.close());
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(START_SECONDS, TimeUnit.SECONDS);
  }

  static MailboxKey key(int n) {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) n);
    return MailboxKey.of(raw);
  }
}
