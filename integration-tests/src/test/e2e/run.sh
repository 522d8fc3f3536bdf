#!/usr/bin/env bash
# Entry point of the web UI end-to-end tests (called by the project's test command).
# Needs an existing app/target/p2pchat.jar. Installs missing Debian packages when run as root, installs
# playwright-core from package-lock.json, then runs the tests with node's built-in runner.
# Exit code = test result (0 = all passed). Screenshots land in integration-tests/target/ui-screenshots/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
jar="$root/app/target/p2pchat.jar"

if [[ ! -f "$jar" ]]; then
  echo "e2e: $jar is missing; build it first: mvn -q -B install -DskipTests" >&2
  exit 2
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
for pkg in fonts-noto-color-emoji fonts-noto-cjk; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]} > 0)); then
  if [[ "$(id -u)" == 0 ]]; then
    echo "e2e: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" \
      || { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
  else
    echo "e2e: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
fi

cd "$here"
locked="$(node -p "require('./package-lock.json').packages['node_modules/playwright-core'].version" 2>/dev/null || true)"
installed="$(node -p "require('./node_modules/playwright-core/package.json').version" 2>/dev/null || true)"
if [[ -f package-lock.json ]]; then
  # Reinstall only when the lock and node_modules disagree: keeps repeated runs offline-friendly.
  [[ -n "$locked" && "$locked" == "$installed" ]] || npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi

exec node --test --test-concurrency=1 --test-timeout=600000 "$here"/*.test.mjs
