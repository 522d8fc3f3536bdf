package io.p2pchat.portmap.impl;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Replies dropped as malformed or unsolicited, for {@code /netcheck}: one DEBUG line each, never more state. */
final class Counters {
  private static final Logger log = LoggerFactory.getLogger(Counters.class);
  private long dropped;

  void dropped(String why) {
    dropped++;
    log.debug("port mapping: reply dropped: {}", why);
  }

  long dropped() {
    return dropped;
  }
}
