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

# Daemons the Java tests start themselves, each on a port and with files of its own: tinyproxy (the real
# HTTP proxy of TlsProxyTest) and prometheus with promtool (PrometheusScrapeTest). Installed from Debian's
# packages when missing and we are root (as CI is); without root the test skips, saying so. The package's
# own service is not wanted: disabled when this script installed it on a machine that runs systemd.
install_test_daemon() { # PACKAGE TEST
  if ! command -v "$1" >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "* installing $1 ($2)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q --no-install-recommends "$1" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends "$1" >/dev/null; }; } \
      && { ! command -v systemctl >/dev/null 2>&1 || systemctl disable --now "$1" >/dev/null 2>&1 || true; } \
      || echo "* cannot install $1: $2 will fail" >&2
  fi
}
install_test_daemon tinyproxy TlsProxyTest
install_test_daemon prometheus PrometheusScrapeTest

# The NAT lab's port-mapping router runs Debian's miniupnpd (PortMapIT): one per lab, started by natlab.sh, so
# the package's own service is disabled here; scripts/natlab/run.sh installs it too, with miniupnpc and nftables.
install_test_daemon miniupnpd PortMapIT

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
