package io.p2pchat.rendezvous;

import io.p2pchat.control.ResponderWork;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Runs the control channel's IK responder work ({@link ResponderWork}: four X25519 agreements, a key
 * generation, a binding verify) on a pool of worker threads of its own, so that the event loop that owns
 * the UDP socket only decodes, checks cookies and applies results: on a 2-core machine the handshakes of a
 * registration burst use both cores, and the loop stays free for keep-alives, relay frames and look-ups.
 *
 * <p>Bounded: at most {@code queue} handshakes are queued or running; one more is refused at once (the
 * caller drops and counts it as {@link io.p2pchat.wire.DropReason#BUSY}) rather than queued, so a flood of
 * initiations with valid cookies costs the server at most {@code queue} handshakes of memory and their CPU,
 * and cannot grow a backlog that answers real clients after they gave up. Results come back on the caller's
 * context (Vert.x completes an executeBlocking Future there): the control server, not thread-safe, is only
 * ever touched on its event loop. Called on that event loop only.
 */
final class HandshakeWorkers {
  /** The pool's name (thread names {@code p2pchat-handshake-N}, as shown by a profiler or jstack). */
  static final String POOL_NAME = "p2pchat-handshake";

  private final WorkerExecutor executor;
  private final int queue;
  private int inFlight;
  private int mostInFlight;
  private long submitted;
  private long refused;

  HandshakeWorkers(Vertx vertx, int threads, int queue) {
    if (threads < 1 || queue < 1) {
      throw new IllegalArgumentException("BUG: " + threads + " handshake threads, queue " + queue);
    }
    this.executor = vertx.createSharedWorkerExecutor(POOL_NAME, threads);
    this.queue = queue;
  }

  /** Runs {@code work} on a worker; a Future of it done, on this context; null when the queue is full (refused). */
  Future<ResponderWork> submit(ResponderWork work) {
    if (inFlight >= queue) {
      refused++;
      return null;
    }
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    submitted++;
    // Unordered: the handshakes of different clients are independent, so every worker thread takes one.
    return executor.executeBlocking(work::run, false).andThen(done -> inFlight--);
  }

  /** Handshakes queued or running now. */
  int inFlight() {
    return inFlight;
  }

  /** Most handshakes ever queued or running at once (never above the queue bound). */
  int mostInFlight() {
    return mostInFlight;
  }

  long submitted() {
    return submitted;
  }

  /** Initiations refused because the queue was full. */
  long refused() {
    return refused;
  }

  Future<Void> close() {
    return executor.close();
  }
}
