#!/usr/bin/env bash
# Runs the NAT lab scenarios (integration-tests/src/test/java/io/p2pchat/natlab/*IT.java) against app/target/p2pchat.jar.
# Builds nothing: build and install the modules first (mvn -B install). Needs root; installs the network tools
# with apt-get when they are missing. Exit code = result of the scenarios.
#
#   scripts/natlab/run.sh                      every scenario
#   scripts/natlab/run.sh HomeNatDirectIT      only some (a failsafe -Dit.test pattern)
set -euo pipefail
cd "$(dirname "$0")/../.."

die() { echo "natlab/run.sh: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root: the lab creates network namespaces and iptables rules"

# tool -> Debian package that provides it
# (avahi-daemon, avahi-browse, dbus-daemon: LanDiscoveryIT runs a real mDNS stack on a lab LAN;
#  miniupnpd, upnpc, nft: PortMapIT runs a real UPnP-IGD/NAT-PMP/PCP gateway)
declare -A PACKAGE_OF=([ip]=iproute2 [iptables]=iptables [conntrack]=conntrack [socat]=socat [ss]=iproute2
  [avahi-daemon]=avahi-daemon [avahi-browse]=avahi-utils [dbus-daemon]=dbus [unshare]=util-linux
  [miniupnpd]=miniupnpd [upnpc]=miniupnpc [nft]=nftables)
missing=()
for tool in "${!PACKAGE_OF[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$tool]}")
done
if ((${#missing[@]} > 0)); then
  command -v apt-get >/dev/null 2>&1 || die "missing tools (${missing[*]}) and no apt-get to install them"
  echo "natlab/run.sh: installing ${missing[*]}" >&2
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${missing[@]}" >/dev/null; } \
    || die "cannot install ${missing[*]}"
fi
for tool in "${!PACKAGE_OF[@]}" java mvn; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' is missing"
done
[[ -f app/target/p2pchat.jar ]] || die "app/target/p2pchat.jar is missing: build it first (mvn -B install)"

# Labs of earlier runs whose owner died (a killed CI job) would only waste memory: remove them.
bash scripts/natlab/natlab.sh cleanup

args=(-B -ntp -Pnatlab -pl integration-tests test-compile failsafe:integration-test failsafe:verify)
[[ $# -gt 0 ]] && args+=("-Dit.test=$1")
exec mvn "${args[@]}"
