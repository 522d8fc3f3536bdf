package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.wire.Endpoint;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: a node's IPv6 host candidates. Global unicast and unique-local addresses are reported
 * (with the IPv6 socket's port), link-local, loopback and multicast ones are not; a global one is
 * reached without NAT, so its path is {@code direct}, a unique-local one {@code direct-lan}.
 */
class LocalAddressesTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "2001:db8:1:2::7, true",
    "2600:1f18::1, true",
    "fd00::2, true",
    "fc00::1, true",
    "fe80::fc:ff:fe00:1, false",
    "::1, false",
    "ff02::1, false",
    "64:ff9b::c000:201, false",
  })
  void whichIpv6AddressesAreCandidates(String address, boolean candidate) throws Exception {
    assertEquals(candidate, LocalAddresses.isIpv6Candidate((Inet6Address) InetAddress.getByName(address)));
  }

  @Test
  void specificBindAddressesAreTheCandidatesEachWithItsSocketsPort() throws Exception {
    assertEquals(List.of(new Endpoint("127.0.0.1", 4000), new Endpoint("::1", 4001)),
      LocalAddresses.of("127.0.0.1", 4000, "::1", 4001));
    assertEquals(List.of(new Endpoint("127.0.0.1", 4000)), LocalAddresses.of("127.0.0.1", 4000, "::1", -1),
      "no IPv6 socket, no IPv6 candidate");
  }

  @Test
  void aGlobalIpv6HostCandidateLeadsToADirectPathAUniqueLocalOneToDirectLan() {
    assertEquals(PathState.DIRECT, Candidate.host(new Endpoint("2001:db8::7", 1)).pathState());
    assertEquals(PathState.DIRECT_LAN, Candidate.host(new Endpoint("fd00::7", 1)).pathState());
    assertEquals(PathState.DIRECT_LAN, Candidate.host(new Endpoint("192.168.1.7", 1)).pathState());
  }
}
