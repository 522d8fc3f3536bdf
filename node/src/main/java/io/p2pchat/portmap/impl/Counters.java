package io.p2pchat.portmap.impl;

import io.p2pchat.common.NodeLog;

/** Replies dropped as malformed or unsolicited, for {@code /netcheck}: one DEBUG line each, never more state. */
final class Counters {
  private final NodeLog log;
  private long dropped;

  Counters(NodeLog log) {
    this.log = log;
  }

  void dropped(String why) {
    dropped++;
    log.debug("port mapping: reply dropped: {}", why);
  }

  long dropped() {
    return dropped;
  }
}
