#!/usr/bin/env bash
# Runs Debian's Avahi in network namespace NS, with its own mount namespace (a tmpfs on /run for its pid
# file and a private D-Bus system bus, as docs/../shared NAT-FACTS says Avahi needs per namespace), and
# prints `avahi-browse -rpt SERVICE` until it lists at least COUNT resolved (=) IPv4 entries or 30 s pass.
#   scripts/natlab/avahi-browse.sh NS SERVICE COUNT
set -euo pipefail
ns=$1 service=$2 count=$3
exec ip netns exec "$ns" unshare -m bash -s "$service" "$count" <<'INNER'
set -euo pipefail
service=$1 count=$2
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mkdir -p /run/dbus /run/avahi-daemon
conf=$(mktemp)
cat >"$conf" <<CONF
[server]
host-name=natlab-avahi-$$
use-ipv4=yes
use-ipv6=no
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[publish]
publish-addresses=no
publish-hinfo=no
publish-workstation=no
publish-domain=no
[reflector]
[rlimits]
CONF
dbus-daemon --system --fork
avahi-daemon -f "$conf" --no-chroot --no-drop-root -D 2>/dev/null || avahi-daemon -f "$conf" --no-chroot -D
cleanup() { avahi-daemon -k 2>/dev/null || true; pkill -F /run/dbus/pid 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 60); do
  out=$(avahi-browse -rpt "$service" 2>/dev/null || true)
  if [[ $(grep -c '^=;[^;]*;IPv4;' <<<"$out") -ge $count ]]; then
    echo "$out"
    exit 0
  fi
  sleep 0.5
done
echo "$out"
exit 1
INNER
