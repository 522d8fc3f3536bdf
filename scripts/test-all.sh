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
