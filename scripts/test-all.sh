#!/usr/bin/env bash
# Every test suite, on a fresh clone: installs what is missing (system packages when root,
# Maven dependencies, npm modules), then runs the unit and integration tests, the NAT lab
# scenarios and the browser tests. Exits non-zero when any suite fails; never skips one silently.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

declare -a results=()
failed=0
run_suite() {
  local name=$1; shift
  echo "=== $name: $*"
  local start=$SECONDS
  if "$@"; then
    results+=("PASS $name ($((SECONDS - start)) s)")
  else
    results+=("FAIL $name ($((SECONDS - start)) s)")
    failed=$((failed + 1))
  fi
}

. "$ROOT/bin/lib.sh"
ensure_toolchain

# Daemons the Java tests start themselves: tinyproxy, the real HTTP proxy of TlsProxyTest. Installed
# from Debian's packages when missing and we are root (as CI is); without root the test skips, saying so.
# The package's own service is not wanted (each test runs its proxy on a port of its own): disabled when
# this script installed it on a machine that runs systemd.
if ! command -v tinyproxy >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "* installing tinyproxy (TlsProxyTest)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -q --no-install-recommends tinyproxy >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends tinyproxy >/dev/null; }; } \
    && { ! command -v systemctl >/dev/null 2>&1 || systemctl disable --now tinyproxy >/dev/null 2>&1 || true; } \
    || echo "* cannot install tinyproxy: TlsProxyTest will fail" >&2
fi

# The NAT lab's port-mapping router runs Debian's miniupnpd (nftables backend; its chains are loaded with nft),
# and upnpc (miniupnpc) lists its mappings. The package's own service is not wanted: natlab.sh starts one per lab.
if ! command -v miniupnpd >/dev/null 2>&1 || ! command -v upnpc >/dev/null 2>&1 || ! command -v nft >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "* installing miniupnpd, miniupnpc, nftables (NAT lab port mapping)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q --no-install-recommends miniupnpd miniupnpc nftables >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends miniupnpd miniupnpc nftables >/dev/null; }; } \
      && { ! command -v systemctl >/dev/null 2>&1 || systemctl disable --now miniupnpd >/dev/null 2>&1 || true; } \
      || echo "* cannot install miniupnpd/miniupnpc/nftables: the port-mapping lab will fail" >&2
  fi
fi

# Every module's unit tests and the integration tests on loopback; installs the library artifacts
# (the example application and the suites below use them) and builds app/target/p2pchat.jar.
run_suite "unit and integration tests (mvn install)" mvn -B -ntp -Dstyle.color=never install

# The rendezvous cluster: three Hazelcast JVMs on loopback (failsafe, profile "cluster").
run_suite "rendezvous cluster (mvn -Pcluster)" mvn -B -ntp -Dstyle.color=never -Pcluster -pl integration-tests \
  test-compile failsafe:integration-test failsafe:verify

for suite in scripts/natlab/run.sh integration-tests/src/test/e2e/run.sh; do
  if [[ -x "$suite" ]]; then
    run_suite "$suite" "$suite"
  fi
done

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
passed=$(( ${#results[@]} - failed ))
echo "suites: $passed passed, $failed failed"
exit $(( failed > 0 ))
