package io.p2pchat.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which host candidates a peer may probe: named cases, the client's public host given. */
class LanRangesTest {

  @ParameterizedTest(name = "{0} of a client at {1}: {2}")
  @CsvSource({
    "10.1.2.3, 203.0.113.9, true",
    "172.16.0.1, 203.0.113.9, true",
    "172.32.0.1, 203.0.113.9, false",
    "192.168.1.10, 203.0.113.9, true",
    "100.64.0.1, 203.0.113.9, true",
    "100.128.0.1, 203.0.113.9, false",
    "169.254.7.7, 203.0.113.9, true",
    "fd12::1, 203.0.113.9, true",
    "fe80::1, 203.0.113.9, true",
    "2001:db8::1, 203.0.113.9, false",
    "8.8.8.8, 203.0.113.9, false",
    "203.0.113.9, 203.0.113.9, false",
    "127.0.0.1, 127.0.0.1, true",
    "127.0.0.77, 127.0.0.1, false",
    "127.0.0.1, 203.0.113.9, false",
    "::1, ::1, true",
    "192.0.2.5, 203.0.113.9, false",
    "example.org, 203.0.113.9, false",
    "2001:db8:1:2::7, 2001:db8:1:2::99, true",
    "2001:db8:1:2:aaaa:bbbb:cccc:dddd, 2001:db8:1:2::1, true",
    "2001:db8:1:3::7, 2001:db8:1:2::99, false",
    "2001:db8:1:2::7, 203.0.113.9, false",
    "2a00:1450::5, 2001:db8:1:2::99, false",
    "3fff::1, 3fff::2, true",
    "4000::1, 4000::2, false",
  })
  void defaults(String candidate, String publicHost, boolean allowed) {
    assertEquals(allowed, LanRanges.DEFAULT.allowsHostCandidate(candidate, publicHost));
  }

  @Test
  void extraRangesAreLans() {
    LanRanges lab = new LanRanges(List.of("192.0.2.0/24", "198.51.100.0/26", "2001:db8::/32"));
    assertEquals(true, lab.allowsHostCandidate("192.0.2.66", "203.0.113.21"));
    assertEquals(true, lab.allowsHostCandidate("198.51.100.63", "203.0.113.21"));
    assertEquals(false, lab.allowsHostCandidate("198.51.100.64", "203.0.113.21"));
    assertEquals(true, lab.allowsHostCandidate("2001:db8::7", "203.0.113.21"));
  }

  @Test
  void malformedRangesAreRefused() {
    for (String bad : List.of("192.0.2.0", "192.0.2.0/33", "192.0.2.0/x", "lan/24", "::/129")) {
      assertThrows(ConfigException.class, () -> new LanRanges(List.of(bad)), bad);
    }
  }
}
