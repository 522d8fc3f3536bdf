package io.p2pchat.node;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

import java.util.function.Supplier;

/**
 * A verticle of a node under which the node deploys its next stage ({@link ChatNodeVerticle} describes the
 * chain). Vert.x 5 makes a deployment the child of the deployment whose context calls {@code deployVerticle}, and
 * undeploys a verticle's children (in parallel among themselves) before it calls that verticle's {@code stop}:
 * whatever is deployed under a stage has stopped, completely, before the stage's own {@code stop} begins.
 */
public abstract class NodeStage extends VerticleBase {

  /**
   * Deploys, from this verticle's context, what {@code deploy} deploys: a child of this verticle, stopped before it.
   * For a deployed (or starting) verticle only: a child deployed while this one is being undeployed is undeployed
   * at once by Vert.x, and its deploy fails.
   *
   * @return the child's deployment id
   */
  public final Future<String> deployChild(Supplier<Future<String>> deploy) {
    Promise<String> deployed = Promise.promise();
    context.runOnContext(v -> deploy.get().onComplete(deployed));
    return deployed.future();
  }
}
