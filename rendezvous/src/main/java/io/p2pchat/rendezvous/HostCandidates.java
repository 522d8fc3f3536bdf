package io.p2pchat.rendezvous;

import io.p2pchat.common.LanRanges;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Which of a registration's host candidates the room is told of: those in a LAN range
 * ({@link LanRanges}, with the configured {@code lanRanges}), the first
 * {@link Control#MAX_LOCAL_CANDIDATES} of them. Every other one would make each member of the room
 * probe an address that is not the registrant's: dropped and counted by reason. Lives on the
 * verticle's event loop.
 */
final class HostCandidates {

  private final LanRanges ranges;
  private long notLan;
  private long overCap;

  HostCandidates(LanRanges ranges) {
    this.ranges = ranges;
  }

  /** The candidates of {@code local}, reported by a client registering from {@code from}, that peers may probe. */
  List<Endpoint> keep(List<Endpoint> local, Endpoint from) {
    List<Endpoint> kept = new ArrayList<>(Math.min(local.size(), Control.MAX_LOCAL_CANDIDATES));
    for (Endpoint candidate : local) {
      if (!ranges.allowsHostCandidate(candidate.host(), from.host())) {
        notLan++;
      } else if (kept.size() >= Control.MAX_LOCAL_CANDIDATES) {
        overCap++;
      } else if (!kept.contains(candidate)) {
        kept.add(candidate);
      }
    }
    return kept;
  }

  /** {@code {"notLan": N, "overCap": N}}: candidates dropped at registration, by reason. */
  JsonObject toJson() {
    return new JsonObject().put("notLan", notLan).put("overCap", overCap);
  }
}
