#!/usr/bin/env bash
# p2pchat NAT lab: a small internet of network namespaces with real Linux NAT routers.
#
#   natlab.sh up <home|lan|sym|full|six|v6|dual|pmp>
#                                      build a lab, print its id (export NATLAB_ID=<id> to address it)
#   natlab.sh down                     remove the lab NATLAB_ID (or the last one built)
#   natlab.sh cleanup [--all]          remove leftovers of earlier runs whose creator died (--all: every lab)
#   natlab.sh exec <host> <cmd...>     run a command inside a host's namespace
#   natlab.sh ns <host>                print the namespace name of a host
#   natlab.sh loss <p>                 drop a fraction p (0..1) of public packets (0 removes it)
#   natlab.sh dup <p>                  duplicate a fraction p (0..1) of public packets (0 removes it)
#   natlab.sh delay <4|6> <ms>         hold every public UDP packet of one family <ms> in the core, each way
#                                      (0 removes it): one family's round trip longer than the other's
#   natlab.sh flush <router>           forget every NAT mapping of a router (conntrack -F)
#   natlab.sh rebind <router>          force a real mapping change: renumber the router's public address
#   natlab.sh rebind-port <router> <inside-port> <dst-ip:port>...
#                                      force a port change: a squatter host takes the router's public
#                                      port <inside-port> toward each destination after a flush
#   natlab.sh block-udp <router>       drop every UDP packet the router's LAN sends out (TCP passes), as an
#                                      office firewall that lets only TCP 443 out does
#   natlab.sh unblock-udp <router>     let UDP out again
#   natlab.sh unsolicited6 <router>    packets the router's IPv6 firewall dropped as unsolicited inbound
#   natlab.sh upnpd <router> <natpmp|upnp|both>
#                                      run Debian's miniupnpd on a router (topology pmp: rtM), with NAT-PMP/PCP,
#                                      UPnP-IGD or both switched on; its own config, lease and pid files
#   natlab.sh upnpd-stop <router>      stop it and remove every mapping it left behind (chains, lease file)
#   natlab.sh status                   namespaces, addresses, NAT mappings and impairment counters
#   natlab.sh hosts                    "host namespace address" lines of the lab
#   natlab.sh validate                 prove the topology without p2pchat: STUN + a hand-made punch
#   natlab.sh validate6                the same for IPv6 (topology v6): no NAT66, a punch through two firewalls
#
# Everything lives in namespaces named <id>-<host>; veth pairs are created directly inside them, so
# the host's own namespace, interfaces and iptables are never touched. Only documentation ranges are
# used: 203.0.113.0/24 is the public internet, 192.0.2.0/24 and 198.51.100.0/24 the private LANs; in the
# IPv6 topologies 2001:db8::/64 is the public side and each router routes a /64 of its own (2001:db8:N::/64)
# to its LAN, without NAT, behind a stateful ip6tables firewall. See docs/NATLAB.md for the diagram.
set -Eeuo pipefail   # -E: the ERR trap of 'up' (tear down what was built) fires inside functions too

readonly STATE_ROOT="${NATLAB_STATE_DIR:-/run/p2pchat-natlab}"
readonly NS_PREFIX="p2l"                 # every lab namespace starts with this
readonly CORE_ADDR="203.0.113.1"         # the "internet" router, next hop of every public host
readonly RDV_ADDR="203.0.113.10"
readonly RDV2_ADDR="203.0.113.11"
readonly CORE_ADDR6="2001:db8::1"       # the core on the IPv6 public side, next hop of every public host
readonly RDV_ADDR6="2001:db8::10"
readonly RDV2_ADDR6="2001:db8::11"
readonly LAN6_GW_ID=1                   # a router is <its /64>::1 on its LAN, as the IPv4 gateway is .1
readonly UNSOLICITED6_TAG="natlab-unsolicited-inbound"   # the comment on the IPv6 firewall's final drop rule
readonly RENUMBER_OFFSET=100             # rebind: 203.0.113.21 -> 203.0.113.121
readonly STUN_PORT=3478
readonly REFLECT_PORT=3479         # validate: a socat reflector answering "ip:port I saw"
readonly REQUIRED_TOOLS=(ip iptables conntrack)

die() { echo "natlab: $*" >&2; exit 1; }
log() { echo "natlab: $*" >&2; }

need_root_and_tools() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces and iptables need CAP_NET_ADMIN)"
  local t
  for t in "${REQUIRED_TOOLS[@]}" "$@"; do
    command -v "$t" >/dev/null 2>&1 || die "required tool '$t' is missing (apt-get install -y iptables iproute2 conntrack coturn socat)"
  done
}

# ---------------------------------------------------------------- topology
# One line per router: NAME KIND WAN4 LAN4(/26) WAN6 LAN6(/64) HOST:ID...  ("-" where a family is absent)
# KIND home = port-preserving MASQUERADE; symmetric = MASQUERADE --random-fully; v6only = no IPv4 at all.
# IPv4: both NATs drop unsolicited inbound on the public side; no router hairpins. IPv6 (a router with a
# LAN6): no NAT66, the LAN's /64 is routed, a stateful firewall drops NEW inbound from the public side.
# A host is LAN4's prefix + ID on IPv4 and LAN6::ID on IPv6.
topology_routers() {
  case "$1" in
    home) echo "rtA home 203.0.113.21 192.0.2.0 - - alice:2 squat:3"
          echo "rtB home 203.0.113.22 192.0.2.64 - - bob:66"
          echo "rtC home 203.0.113.23 198.51.100.0 - - carol:2" ;;
    lan)  echo "rtL home 203.0.113.25 192.0.2.192 - - erin:194 frank:195" ;;
    sym)  echo "rtA home 203.0.113.21 192.0.2.0 - - alice:2 squat:3"
          echo "rtS symmetric 203.0.113.24 192.0.2.128 - - dave:130" ;;
    full) topology_routers home; topology_routers lan
          echo "rtS symmetric 203.0.113.24 192.0.2.128 - - dave:130" ;;
    # port mapping: pat behind a per-destination NAT that can run miniupnpd ('upnpd'); its WAN is 11.0.0.24
    # because miniupnpd refuses to map on every documentation or private range (docs/NATLAB.md)
    pmp)  echo "rtA home 203.0.113.21 192.0.2.0 - - alice:2"
          echo "rtM symmetric 11.0.0.24 192.0.2.128 - - pat:130" ;;
    # six clients, each behind its own home router: every pair needs the rendezvous to meet
    six)  echo "rtA home 203.0.113.21 192.0.2.0 - - alice:2"
          echo "rtB home 203.0.113.22 192.0.2.64 - - bob:66"
          echo "rtC home 203.0.113.23 198.51.100.0 - - carol:2"
          echo "rtD home 203.0.113.26 198.51.100.64 - - dan:66"
          echo "rtE home 203.0.113.27 198.51.100.128 - - eve:130"
          echo "rtF home 203.0.113.28 198.51.100.192 - - fay:194" ;;
    # IPv6 only: two clients without any IPv4 address, each behind a stateful IPv6 firewall
    v6)   echo "fwA v6only - - 2001:db8::31 2001:db8:31 alice:2"
          echo "fwB v6only - - 2001:db8::32 2001:db8:32 bob:2" ;;
    # dual stack: alice and bob behind home NATs, dave behind the symmetric one, all with global IPv6 too
    dual) echo "rtA home 203.0.113.21 192.0.2.0 2001:db8::21 2001:db8:21 alice:2"
          echo "rtB home 203.0.113.22 192.0.2.64 2001:db8::22 2001:db8:22 bob:66"
          echo "rtS symmetric 203.0.113.24 192.0.2.128 2001:db8::24 2001:db8:24 dave:130" ;;
    *) die "unknown topology '$1' (home|lan|sym|full|six|v6|dual|pmp)" ;;
  esac
}

# True when some router of the topology has an IPv6 LAN: then the core and the public hosts get IPv6 too.
topology_has_v6() {
  topology_routers "$1" | awk '$6 != "-" { found = 1 } END { exit !found }'
}

# ---------------------------------------------------------------- lab identity
lab_id() {
  if [[ -n "${NATLAB_ID:-}" ]]; then echo "$NATLAB_ID"; return; fi
  [[ -f "$STATE_ROOT/last" ]] || die "no lab: run 'natlab.sh up <topology>' or set NATLAB_ID"
  cat "$STATE_ROOT/last"
}
state_dir() { echo "$STATE_ROOT/$(lab_id)"; }
ns_of() { echo "$(lab_id)-$1"; }
in_ns() { local ns; ns=$(ns_of "$1"); shift; ip netns exec "$ns" "$@"; }

new_ns() {
  local ns; ns=$(ns_of "$1")
  ip netns add "$ns"
  [[ ${LAB_V6:-no} == yes ]] && ipv6_sysctls "$ns"
  ip -n "$ns" link set lo up
  echo "$1" >> "$(state_dir)/hosts"
}

# Set before any interface exists, so that the veths made later inherit the defaults.
ipv6_sysctls() {
  local key
  for key in all default; do
    # Duplicate address detection holds a new address "tentative" (unusable: no bind, no send) for about 2 s
    # (docs/NATLAB.md); the lab's addresses are unique by construction. (Every address is added 'nodad' too.)
    ip netns exec "$1" sysctl -qw "net.ipv6.conf.$key.accept_dad=0"
    # Addresses and routes are static: nothing in the lab sends router advertisements, and a host that
    # autoconfigured from a stray one would have a second source address.
    ip netns exec "$1" sysctl -qw "net.ipv6.conf.$key.accept_ra=0"
  done
}

# veth between two namespaces, created inside them (never in the host namespace).
link_ns() { # hostA ifA hostB ifB
  ip -n "$(ns_of "$1")" link add "$2" type veth peer name "$4" netns "$(ns_of "$3")"
  ip -n "$(ns_of "$1")" link set "$2" up
  ip -n "$(ns_of "$3")" link set "$4" up
}

# A public host (rendezvous, router WAN side) gets a /32 with the core router as its point-to-point peer.
attach_public() { # host if addr coreIf
  local host=$1 ifn=$2 addr=$3 core_if=$4
  link_ns core "$core_if" "$host" "$ifn"
  ip -n "$(ns_of core)" addr add "$CORE_ADDR" peer "$addr/32" dev "$core_if"
  ip -n "$(ns_of "$host")" addr add "$addr" peer "$CORE_ADDR/32" dev "$ifn"
  ip -n "$(ns_of "$host")" route add default via "$CORE_ADDR" dev "$ifn"
  echo "$host $addr $core_if" >> "$(state_dir)/public"
}

# The same for IPv6: a /128 each side with the other as peer (a point-to-point link, as for IPv4); neighbour
# discovery still runs on the veth, so a firewall on either side must let it through. Routes via an IPv6 peer are
# 'onlink': the kernel installs a peer's route from a work queue after 'addr add' returns, and a gateway it
# cannot route to yet is refused ("No route to host"; it happened on a loaded machine).
attach_public6() { # host if addr6 coreIf
  local host=$1 ifn=$2 addr=$3 core_if=$4
  ip netns list | awk '{print $1}' | grep -qx "$(ns_of "$host")" || die "BUG: no host '$host' for IPv6"
  ip -n "$(ns_of core)" link show "$core_if" >/dev/null 2>&1 || link_ns core "$core_if" "$host" "$ifn"
  ip -n "$(ns_of core)" -6 addr add "$CORE_ADDR6/128" peer "$addr/128" dev "$core_if" nodad
  ip -n "$(ns_of "$host")" -6 addr add "$addr/128" peer "$CORE_ADDR6/128" dev "$ifn" nodad
  ip -n "$(ns_of "$host")" -6 route add default via "$CORE_ADDR6" dev "$ifn" onlink
  echo "$host $addr $core_if" >> "$(state_dir)/public6"
}

add_router() { # name kind wan4 lan4 wan6 lan6 hosts...
  local name=$1 kind=$2 wan=$3 lan_net=$4 wan6=$5 lan6=$6; shift 6
  new_ns "$name"
  local rns; rns=$(ns_of "$name")
  local gw=- gw6=- base=${lan_net%.*}
  if [[ $kind != v6only ]]; then
    gw="$base.$((${lan_net##*.} + 1))"
    router_ipv4 "$name" "$kind" "$wan" "$gw"
  else
    link_ns core "c$name" "$name" wan0
    bridge_lan "$rns"
  fi
  if [[ $lan6 != - ]]; then
    gw6="$lan6::$LAN6_GW_ID"
    router_ipv6 "$name" "$wan6" "$lan6"
  fi
  echo "$name $kind $wan $gw $wan6 $gw6" >> "$(state_dir)/routers"
  local spec host id hns
  for spec in "$@"; do
    host=${spec%%:*}; id=${spec##*:}
    new_ns "$host"
    hns=$(ns_of "$host")
    link_ns "$name" "l$host" "$host" eth0
    ip -n "$rns" link set "l$host" master br0
    if [[ $kind != v6only ]]; then
      ip -n "$hns" addr add "$base.$id/26" dev eth0
      ip -n "$hns" route add default via "$gw"
      echo "$host $name $base.$id" >> "$(state_dir)/clients"
    fi
    if [[ $lan6 != - ]]; then
      ip -n "$hns" -6 addr add "$lan6::$id/64" dev eth0 nodad
      ip -n "$hns" -6 route add default via "$gw6" dev eth0
      echo "$host $name $lan6::$id" >> "$(state_dir)/clients6"
    fi
  done
}

bridge_lan() { # routerNs: the LAN bridge its hosts' veths join
  ip -n "$1" link add br0 type bridge
  ip -n "$1" link set br0 up
}

# IPv4 side of a router: public /32, LAN /26 on br0 (the router is its gateway), NAT and the stateful firewall.
router_ipv4() { # name kind wan4 gw4
  local name=$1 kind=$2 wan=$3 gw=$4
  local rns; rns=$(ns_of "$name")
  ip netns exec "$rns" sysctl -qw net.ipv4.ip_forward=1
  attach_public "$name" wan0 "$wan" "c$name"
  bridge_lan "$rns"
  ip -n "$rns" addr add "$gw/26" dev br0
  local masq=(-j MASQUERADE)
  [[ $kind == symmetric ]] && masq=(-j MASQUERADE --random-fully)
  ip netns exec "$rns" iptables -t nat -A POSTROUTING -o wan0 "${masq[@]}"
  local chain
  for chain in INPUT FORWARD; do
    ip netns exec "$rns" iptables -A "$chain" -i wan0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
    ip netns exec "$rns" iptables -A "$chain" -i wan0 -j DROP
  done
}

# ICMPv6 a stateful IPv6 firewall must let in from the public side (RFC 4890 4.3.1 for FORWARD, 4.4.1 for
# the router itself): errors, without which path MTU discovery and error reporting break (conntrack marks
# most as RELATED anyway), and echo. Neighbour discovery is extra for INPUT: conntrack leaves ND packets
# UNTRACKED (neither NEW nor ESTABLISHED), so without these rules the core cannot resolve the router's
# address and nothing at all crosses the link.
readonly ICMP6_ERRORS=(destination-unreachable packet-too-big time-exceeded parameter-problem)
readonly ICMP6_ECHO=(echo-request echo-reply)
readonly ICMP6_ND=(neighbour-solicitation neighbour-advertisement router-solicitation router-advertisement)

# IPv6 side of a router: public /128, its LAN's /64 routed to it by the core, no NAT; the firewall of a home
# router (RFC 6092): the LAN may send anything out, from the public side only what belongs to a flow the LAN
# started (and the ICMPv6 above) comes in. The FORWARD policy is DROP; a tagged final rule drops (and counts)
# the unsolicited inbound, so 'unsolicited6' can show the firewall at work.
router_ipv6() { # name wan6 lan6
  local name=$1 wan6=$2 lan6=$3
  local rns; rns=$(ns_of "$name")
  ip netns exec "$rns" sysctl -qw net.ipv6.conf.all.forwarding=1
  attach_public6 "$name" wan0 "$wan6" "c$name"
  ip -n "$rns" -6 addr add "$lan6::$LAN6_GW_ID/64" dev br0 nodad
  ip -n "$(ns_of core)" -6 route add "$lan6::/64" via "$wan6" dev "c$name" onlink
  local t6=(ip netns exec "$rns" ip6tables) type
  "${t6[@]}" -P FORWARD DROP
  "${t6[@]}" -A FORWARD -i br0 -j ACCEPT
  "${t6[@]}" -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  for type in "${ICMP6_ERRORS[@]}" "${ICMP6_ECHO[@]}"; do
    "${t6[@]}" -A FORWARD -i wan0 -p ipv6-icmp --icmpv6-type "$type" -j ACCEPT
  done
  "${t6[@]}" -A FORWARD -i wan0 -m comment --comment "$UNSOLICITED6_TAG" -j DROP
  "${t6[@]}" -A INPUT -i wan0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  for type in "${ICMP6_ND[@]}" "${ICMP6_ERRORS[@]}" "${ICMP6_ECHO[@]}"; do
    "${t6[@]}" -A INPUT -i wan0 -p ipv6-icmp --icmpv6-type "$type" -j ACCEPT
  done
  "${t6[@]}" -A INPUT -i wan0 -j DROP
}

cmd_up() {
  local topo=${1:-}
  [[ -n $topo ]] || die "usage: natlab.sh up <home|lan|sym|full|six|v6|dual|pmp>"
  need_root_and_tools
  topology_routers "$topo" >/dev/null
  local id=${NATLAB_ID:-$NS_PREFIX$$}
  [[ $id == "$NS_PREFIX"* ]] || die "NATLAB_ID must start with '$NS_PREFIX' so that cleanup finds it"
  ((${#id} <= 10)) || die "NATLAB_ID '$id' is too long (at most 10 characters)"
  ip netns list | grep -q "^$id-" && die "lab '$id' already exists (natlab.sh down first)"
  export NATLAB_ID=$id
  mkdir -p "$STATE_ROOT/$id"
  echo "${NATLAB_OWNER_PID:-$PPID}" > "$STATE_ROOT/$id/owner"
  echo "$topo" > "$STATE_ROOT/$id/topology"
  : > "$STATE_ROOT/$id/hosts"; : > "$STATE_ROOT/$id/public"; : > "$STATE_ROOT/$id/routers"; : > "$STATE_ROOT/$id/clients"
  : > "$STATE_ROOT/$id/public6"; : > "$STATE_ROOT/$id/clients6"
  LAB_V6=no
  if topology_has_v6 "$topo"; then LAB_V6=yes; need_root_and_tools ip6tables; fi
  trap 'log "up failed at line $LINENO ($BASH_COMMAND), tearing down $NATLAB_ID"; trap - ERR; cmd_down >/dev/null 2>&1 || true' ERR
  new_ns core
  ip netns exec "$(ns_of core)" sysctl -qw net.ipv4.ip_forward=1
  # Impairment chains, applied in the core: every packet here is a real public (post-NAT) packet.
  ip netns exec "$(ns_of core)" iptables -N NATLAB_LOSS
  ip netns exec "$(ns_of core)" iptables -A FORWARD -j NATLAB_LOSS
  ip netns exec "$(ns_of core)" iptables -t mangle -N NATLAB_DUP
  ip netns exec "$(ns_of core)" iptables -t mangle -A FORWARD -j NATLAB_DUP
  new_ns rdv;  attach_public rdv eth0 "$RDV_ADDR" crdv
  new_ns rdv2; attach_public rdv2 eth0 "$RDV2_ADDR" crdv2
  if [[ $LAB_V6 == yes ]]; then
    ip netns exec "$(ns_of core)" sysctl -qw net.ipv6.conf.all.forwarding=1
    ip netns exec "$(ns_of core)" ip6tables -N NATLAB_LOSS
    ip netns exec "$(ns_of core)" ip6tables -A FORWARD -j NATLAB_LOSS
    ip netns exec "$(ns_of core)" ip6tables -t mangle -N NATLAB_DUP
    ip netns exec "$(ns_of core)" ip6tables -t mangle -A FORWARD -j NATLAB_DUP
    attach_public6 rdv eth0 "$RDV_ADDR6" crdv
    attach_public6 rdv2 eth0 "$RDV2_ADDR6" crdv2
  fi
  local line
  while read -r line; do
    # shellcheck disable=SC2086
    add_router $line
  done < <(topology_routers "$topo")
  trap - ERR
  echo "$id" > "$STATE_ROOT/last"
  log "lab $id ($topo) is up: $(tr '\n' ' ' < "$STATE_ROOT/$id/hosts")"
  echo "$id"
}

kill_ns_processes() {
  local ns=$1 pids
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n $pids ]] || return 0
    sleep 0.2
  done
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
}

remove_lab() {
  local id=$1 ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$id-" || true); do
    kill_ns_processes "$ns"
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "${STATE_ROOT:?}/$id"
  if [[ -f "$STATE_ROOT/last" && $(cat "$STATE_ROOT/last") == "$id" ]]; then rm -f "$STATE_ROOT/last"; fi
}

cmd_down() {
  need_root_and_tools
  local id; id=$(lab_id)
  remove_lab "$id"
  log "lab $id removed"
}

cmd_cleanup() {
  need_root_and_tools
  local all=${1:-} id owner
  for id in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" | sed 's/-.*//' | sort -u); do
    owner=$(cat "$STATE_ROOT/$id/owner" 2>/dev/null || echo "")
    if [[ $all == --all || -z $owner ]] || ! kill -0 "$owner" 2>/dev/null; then
      remove_lab "$id"
      log "removed leftover lab $id"
    fi
  done
}

# ---------------------------------------------------------------- port mapping (miniupnpd)
# miniupnpd 2.3.1's nftables backend adds its rules to chains that must exist before it starts (Debian's
# nft_init.sh is broken on this release): one inet table with the forward and NAT hooks jumping to them.
readonly UPNPD_HTTP_PORT=5555
upnpd_nft() {
  cat <<'NFT'
table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain postrouting_miniupnpd { }
}
NFT
}

cmd_upnpd() {
  need_root_and_tools miniupnpd nft
  local router=${1:-} mode=${2:-}
  [[ -n $router && $mode =~ ^(natpmp|upnp|both)$ ]] || die "usage: natlab.sh upnpd <router> <natpmp|upnp|both>"
  local line; line=$(awk -v r="$router" '$1 == r' "$(state_dir)/routers")
  [[ -n $line ]] || die "no router '$router' in lab $(lab_id)"
  local lan_gw; lan_gw=$(echo "$line" | awk '{print $4}')
  local dir; dir=$(state_dir)
  [[ -f $dir/upnpd-$router.pid ]] && die "miniupnpd already runs on $router (natlab.sh upnpd-stop $router)"
  local natpmp=no upnp=no
  [[ $mode == natpmp || $mode == both ]] && natpmp=yes
  [[ $mode == upnp || $mode == both ]] && upnp=yes
  in_ns "$router" nft list table inet filter >/dev/null 2>&1 || upnpd_nft | in_ns "$router" nft -f -
  # A mapped port's packets are DNATed: accept them before the router's drop of unsolicited inbound.
  in_ns "$router" iptables -C FORWARD -i wan0 -m conntrack --ctstate DNAT -j ACCEPT 2>/dev/null \
    || in_ns "$router" iptables -I FORWARD 1 -i wan0 -m conntrack --ctstate DNAT -j ACCEPT
  local base=${lan_gw%.*}
  cat > "$dir/upnpd-$router.conf" <<CONF
ext_ifname=wan0
listening_ip=br0
http_port=$UPNPD_HTTP_PORT
enable_natpmp=$natpmp
enable_upnp=$upnp
secure_mode=yes
system_uptime=yes
ipv6_disable=yes
lease_file=$dir/upnpd-$router.leases
uuid=$(cat /proc/sys/kernel/random/uuid)
upnp_table_name=filter
upnp_nat_table_name=filter
allow 1024-65535 $base.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
  : > "$dir/upnpd-$router.leases"
  in_ns "$router" setsid miniupnpd -d -f "$dir/upnpd-$router.conf" -P "$dir/upnpd-$router.pid" \
    > "$dir/upnpd-$router.log" 2>&1 < /dev/null &
  local i
  for i in $(seq 100); do
    if in_ns "$router" ss -Hln "sport = :5351" | grep -q . || in_ns "$router" ss -Hltn "sport = :$UPNPD_HTTP_PORT" | grep -q .; then
      if [[ $upnp == no ]] || in_ns "$router" ss -Hltn "sport = :$UPNPD_HTTP_PORT" | grep -q .; then
        log "miniupnpd on $router ($mode) is up"; return 0
      fi
    fi
    sleep 0.1
  done
  cat "$dir/upnpd-$router.log" >&2
  die "miniupnpd on $router did not start"
}

cmd_upnpd_stop() {
  need_root_and_tools nft
  local router=${1:?usage: natlab.sh upnpd-stop <router>} dir; dir=$(state_dir)
  if [[ -f $dir/upnpd-$router.pid ]]; then
    local pid; pid=$(cat "$dir/upnpd-$router.pid")
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/upnpd-$router.pid"
  fi
  # SIGTERM leaves the DNAT rules and the lease behind: flush them, and forget flows they made.
  local chain
  for chain in miniupnpd prerouting_miniupnpd postrouting_miniupnpd; do
    in_ns "$router" nft flush chain inet filter "$chain" 2>/dev/null || true
  done
  : > "$dir/upnpd-$router.leases" 2>/dev/null || true
  in_ns "$router" conntrack -F >/dev/null 2>&1 || true
  log "miniupnpd on $router stopped, its mappings removed"
}

# ---------------------------------------------------------------- impairments
probability() {
  [[ $1 =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || die "probability must be between 0 and 1, got '$1'"
  echo "$1"
}

# The IP tables of the lab's families: iptables, and ip6tables in a lab with IPv6.
lab_tables() {
  echo iptables
  if [[ -s $(state_dir)/public6 ]]; then echo ip6tables; fi
}

cmd_loss() {
  need_root_and_tools
  local p tables; p=$(probability "${1:-}")
  for tables in $(lab_tables); do
    in_ns core "$tables" -F NATLAB_LOSS
    if [[ $p =~ [1-9] ]]; then
      in_ns core "$tables" -A NATLAB_LOSS -m statistic --mode random --probability "$p" -j DROP
    fi
  done
  echo "$p" > "$(state_dir)/loss"
  log "public loss = $p"
}

# TEE clones a packet to a directly connected gateway; in the core every public host is its own
# next hop, so one rule per host, clone sent straight to it: a real duplicate on the wire.
apply_dup() {
  local p; p=$(cat "$(state_dir)/dup" 2>/dev/null || echo 0)
  local tables hosts host addr core_if
  for tables in $(lab_tables); do
    in_ns core "$tables" -t mangle -F NATLAB_DUP
    [[ $p =~ [1-9] ]] || continue
    hosts=$(state_dir)/public; [[ $tables == ip6tables ]] && hosts=$(state_dir)/public6
    while read -r host addr core_if; do
      in_ns core "$tables" -t mangle -A NATLAB_DUP -o "$core_if" -m statistic --mode random --probability "$p" \
        -j TEE --gateway "$addr"
    done < "$hosts"
  done
}

cmd_dup() {
  need_root_and_tools
  local p; p=$(probability "${1:-}")
  echo "$p" > "$(state_dir)/dup"
  apply_dup
  log "public duplication = $p"
}

# No netem here: an NFQUEUE rule in the core hands one family's public UDP packets to delay_queue.py, which
# accepts each one <ms> later. One queue per family (its number is the family's), one delay line each;
# --queue-bypass lets packets pass should the delay line be gone.
readonly DELAY_CHAIN="NATLAB_DELAY"
readonly DELAY_READY_TRIES=100     # x 0.05 s: the delay line binds its queue well within 5 s

cmd_delay() {
  need_root_and_tools python3
  local fam=${1:-} ms=${2:-}
  [[ $fam == 4 || $fam == 6 ]] || die "usage: natlab.sh delay <4|6> <ms>"
  [[ $ms =~ ^[0-9]+$ ]] || die "delay must be whole milliseconds, got '$ms'"
  local tables=iptables
  if [[ $fam == 6 ]]; then
    tables=ip6tables
    [[ -s $(state_dir)/public6 ]] || die "lab $(lab_id) has no IPv6"
  fi
  local pid_file out; pid_file="$(state_dir)/delay$fam.pid"; out="$(state_dir)/delay$fam.out"
  if [[ -f $pid_file ]]; then kill "$(cat "$pid_file")" 2>/dev/null || true; rm -f "$pid_file"; fi
  if ! in_ns core "$tables" -L "$DELAY_CHAIN" >/dev/null 2>&1; then
    in_ns core "$tables" -N "$DELAY_CHAIN"
    in_ns core "$tables" -I FORWARD 1 -j "$DELAY_CHAIN"
  fi
  in_ns core "$tables" -F "$DELAY_CHAIN"
  if ((ms > 0)); then
    # exec: $! is then the delay line itself (ip netns exec execs python3), so a later 'delay' can stop it
    (exec ip netns exec "$(ns_of core)" python3 "$(dirname "$0")/delay_queue.py" "$fam" "$ms" > "$out" 2>&1) &
    echo $! > "$pid_file"
    local i
    for ((i = 0; i < DELAY_READY_TRIES; i++)); do
      grep -q ready "$out" 2>/dev/null && break
      sleep 0.05
    done
    grep -q ready "$out" || die "the delay line did not start: $(cat "$out")"
    in_ns core "$tables" -A "$DELAY_CHAIN" -p udp -j NFQUEUE --queue-num "$fam" --queue-bypass
  fi
  echo "$ms" > "$(state_dir)/delay$fam"
  log "public IPv$fam UDP delayed $ms ms each way"
}

# ---------------------------------------------------------------- NAT events
router_field() { # router fieldIndex(1=name 2=kind 3=wan 4=gw 5=wan6 6=gw6; "-" where a family is absent)
  local r; r=$(awk -v n="$1" '$1 == n' "$(state_dir)/routers")
  [[ -n $r ]] || die "no router '$1' in lab $(lab_id) (routers: $(awk '{print $1}' "$(state_dir)/routers" | tr '\n' ' '))"
  echo "$r" | awk -v f="$2" '{print $f}'
}

cmd_flush() {
  need_root_and_tools
  router_field "${1:?usage: natlab.sh flush <router>}" 1 >/dev/null
  in_ns "$1" conntrack -F 2>/dev/null || true
  log "$1: NAT mappings flushed"
}

cmd_rebind() {
  need_root_and_tools
  local r=${1:?usage: natlab.sh rebind <router>}
  local old; old=$(router_field "$r" 3)
  local last=${old##*.} base=${old%.*}
  local new="$base.$(( last < RENUMBER_OFFSET ? last + RENUMBER_OFFSET : last - RENUMBER_OFFSET ))"
  [[ $new != "$old" ]] || die "BUG: renumbering $r gave the same address"
  local core_if="c$r"
  ip -n "$(ns_of "$r")" addr del "$old" peer "$CORE_ADDR/32" dev wan0
  ip -n "$(ns_of "$r")" addr add "$new" peer "$CORE_ADDR/32" dev wan0
  ip -n "$(ns_of "$r")" route replace default via "$CORE_ADDR" dev wan0
  ip -n "$(ns_of core)" addr del "$CORE_ADDR" peer "$old/32" dev "$core_if"
  ip -n "$(ns_of core)" addr add "$CORE_ADDR" peer "$new/32" dev "$core_if"
  in_ns "$r" conntrack -F 2>/dev/null || true
  sed -i "s|^$r \([a-z]*\) $old |$r \1 $new |" "$(state_dir)/routers"
  sed -i "s|^$r $old |$r $new |" "$(state_dir)/public"
  apply_dup
  log "$r renumbered $old -> $new (every mapping now has a new public address)"
  echo "$new"
}

# A chain of its own in FORWARD, so that unblocking removes exactly what blocking added. Only what the LAN
# sends out is dropped: answers cannot come back to a flow that never left.
readonly BLOCK_UDP_CHAIN="NATLAB_BLOCK_UDP"

cmd_block_udp() {
  need_root_and_tools
  local r=${1:?usage: natlab.sh block-udp <router>}
  router_field "$r" 1 >/dev/null
  if ! in_ns "$r" iptables -L "$BLOCK_UDP_CHAIN" >/dev/null 2>&1; then
    in_ns "$r" iptables -N "$BLOCK_UDP_CHAIN"
    in_ns "$r" iptables -I FORWARD 1 -i br0 -j "$BLOCK_UDP_CHAIN"
  fi
  in_ns "$r" iptables -F "$BLOCK_UDP_CHAIN"
  in_ns "$r" iptables -A "$BLOCK_UDP_CHAIN" -p udp -j DROP
  in_ns "$r" conntrack -F 2>/dev/null || true
  log "$r: outbound UDP from its LAN dropped (TCP passes)"
}

cmd_unblock_udp() {
  need_root_and_tools
  local r=${1:?usage: natlab.sh unblock-udp <router>}
  router_field "$r" 1 >/dev/null
  in_ns "$r" iptables -F "$BLOCK_UDP_CHAIN" 2>/dev/null || true
  log "$r: outbound UDP from its LAN allowed again"
}

cmd_rebind_port() {
  need_root_and_tools
  command -v socat >/dev/null || die "required tool 'socat' is missing (apt-get install -y socat)"
  local r=${1:?usage: natlab.sh rebind-port <router> <inside-port> <dst-ip:port>...} port=${2:?inside port}
  shift 2
  (($# > 0)) || die "rebind-port needs at least one destination ip:port"
  awk -v r="$r" '$2 == r && $1 == "squat"' "$(state_dir)/clients" | grep -q . \
    || die "router $r has no 'squat' host (topologies home/sym put one behind rtA)"
  local squat_ip; squat_ip=$(awk '$1 == "squat" {print $3}' "$(state_dir)/clients")
  # Hold every other LAN host back while the squatter takes the port: the mapping is made at
  # POSTROUTING, so a packet dropped in FORWARD cannot win the port first.
  in_ns "$r" iptables -I FORWARD 1 -i br0 ! -s "$squat_ip" -j DROP
  in_ns "$r" conntrack -F 2>/dev/null || true
  local dst
  for dst in "$@"; do
    in_ns squat socat -u - "UDP4-SENDTO:$dst,sourceport=$port,reuseaddr" <<< "squat" || true
  done
  in_ns "$r" iptables -D FORWARD -i br0 ! -s "$squat_ip" -j DROP
  log "$r: squatter holds public port $port toward $*; the next packets of the old owner get another port"
}

# ---------------------------------------------------------------- inspection
ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
cmd_exec() {
  local host=${1:?usage: natlab.sh exec <host> <cmd...>}; shift
  ns_exists "$(ns_of "$host")" || die "no host '$host' in lab $(lab_id)"
  exec ip netns exec "$(ns_of "$host")" "$@"
}

cmd_hosts() {
  local host addr rest f
  for f in public public6; do
    [[ -f $(state_dir)/$f ]] || continue   # labs of an older natlab.sh have no IPv6 files
    while read -r host addr rest; do echo "$host $(ns_of "$host") $addr"; done < "$(state_dir)/$f"
  done
  for f in clients clients6; do
    [[ -f $(state_dir)/$f ]] || continue
    while read -r host rest addr; do echo "$host $(ns_of "$host") $addr"; done < "$(state_dir)/$f"
  done
}

# Packets the router's IPv6 firewall dropped as unsolicited inbound (NEW from the public side): the counter of
# its tagged final FORWARD rule.
cmd_unsolicited6() {
  need_root_and_tools ip6tables
  local r=${1:?usage: natlab.sh unsolicited6 <router>}
  [[ $(router_field "$r" 6) != - ]] || die "router $r has no IPv6"
  local n; n=$(in_ns "$r" ip6tables -vxnL FORWARD | awk -v tag="$UNSOLICITED6_TAG" 'index($0, tag) { print $1 }')
  [[ -n $n ]] || die "BUG: router $r has no '$UNSOLICITED6_TAG' rule"
  echo "$n"
}

cmd_status() {
  need_root_and_tools
  local id; id=$(lab_id)
  echo "lab $id topology $(cat "$(state_dir)/topology") owner pid $(cat "$(state_dir)/owner")"
  echo "loss $(cat "$(state_dir)/loss" 2>/dev/null || echo 0)  dup $(cat "$(state_dir)/dup" 2>/dev/null || echo 0)" \
    " delay ms IPv4 $(cat "$(state_dir)/delay4" 2>/dev/null || echo 0) IPv6 $(cat "$(state_dir)/delay6" 2>/dev/null || echo 0)"
  echo "-- routers (name kind public-address lan-gateway public-address6 lan-gateway6)"; cat "$(state_dir)/routers"
  echo "-- hosts (name namespace address)"; cmd_hosts
  local r
  for r in $(awk '{print $1}' "$(state_dir)/routers"); do
    echo "-- $r NAT mappings"
    in_ns "$r" conntrack -L -p udp 2>/dev/null || true
    if [[ $(router_field "$r" 6) != - ]]; then
      echo "-- $r IPv6 flows the firewall lets back in"
      in_ns "$r" conntrack -L -f ipv6 -p udp 2>/dev/null || true
      echo "-- $r IPv6 firewall (FORWARD)"
      in_ns "$r" ip6tables -vnL FORWARD 2>/dev/null || true
    fi
  done
  echo "-- core impairment counters"
  local tables
  for tables in $(lab_tables); do
    in_ns core "$tables" -vnL NATLAB_LOSS
    in_ns core "$tables" -t mangle -vnL NATLAB_DUP
  done
}

# ---------------------------------------------------------------- validation without p2pchat
# A lab of this process (torn down with it) and a scratch directory VALIDATE_TMP for what the hosts receive.
validation_lab() { # topology idLetter
  export NATLAB_ID=${NATLAB_ID:-${NS_PREFIX}$2$$}
  NATLAB_OWNER_PID=$$ cmd_up "$1" >/dev/null
  VALIDATE_TMP=$(mktemp -d)
  trap 'cmd_down >/dev/null 2>&1 || true; rm -rf "$VALIDATE_TMP"' EXIT
}

# Shows (1) a home router keeps the inside port, (2) a symmetric one picks a new port per destination,
# (3) two home-NAT clients punch a hole by hand with socat, (4) an unsolicited packet is dropped.
cmd_validate() {
  need_root_and_tools socat turnserver turnutils_stunclient timeout
  validation_lab full v
  local tmp=$VALIDATE_TMP fail=0
  # A standard STUN responder (coturn) and a reflector that answers with the source it saw.
  in_ns rdv turnserver --stun-only --no-cli --no-tls --no-dtls -L "$RDV_ADDR" -p "$STUN_PORT" \
    --log-file stdout --simple-log > "$tmp/stun.log" 2>&1 &
  local h
  for h in rdv rdv2; do
    in_ns "$h" socat "UDP4-RECVFROM:$REFLECT_PORT,fork" 'SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT' \
      > /dev/null 2>&1 &
  done
  wait_udp rdv "$STUN_PORT"; wait_udp rdv "$REFLECT_PORT"; wait_udp rdv2 "$REFLECT_PORT"
  local stun; stun=$(in_ns alice timeout 10 turnutils_stunclient -p "$STUN_PORT" "$RDV_ADDR" 2>&1 \
    | sed -n 's/.*UDP reflexive addr: \([0-9.:]*\).*/\1/p' | head -1)
  if [[ ${stun%:*} == 203.0.113.21 ]]; then echo "PASS coturn STUN client behind rtA: reflexive address $stun"
  else echo "FAIL coturn STUN client behind rtA: reflexive address '$stun'"; fail=1; fi
  seen() { # host localPort server -> ip:port the server saw
    in_ns "$1" timeout 5 socat -T 3 - "UDP4:$3:$REFLECT_PORT,sourceport=$2,reuseaddr" <<< "who" 2>/dev/null | head -1 | tr ' ' ':'
  }
  local a1 a2 d1 d2
  a1=$(seen alice 4000 "$RDV_ADDR"); a2=$(seen alice 4000 "$RDV2_ADDR")
  d1=$(seen dave 4000 "$RDV_ADDR");  d2=$(seen dave 4000 "$RDV2_ADDR")
  echo "home      alice 192.0.2.2:4000   -> rdv saw $a1, rdv2 saw $a2"
  echo "symmetric dave  192.0.2.130:4000 -> rdv saw $d1, rdv2 saw $d2"
  if [[ $a1 == "203.0.113.21:4000" && $a2 == "203.0.113.21:4000" ]]; then echo "PASS home router preserves the port"
  else echo "FAIL home router did not preserve the port"; fail=1; fi
  if [[ ${d1%:*} == 203.0.113.24 && ${d2%:*} == 203.0.113.24 && $d1 != "$d2" ]]; then
    echo "PASS symmetric router maps per destination"
  else echo "FAIL symmetric router: expected two different public ports"; fail=1; fi
  hand_punch 4 203.0.113.22:5000 203.0.113.21:5000 "$tmp" "" || fail=1
  # Unsolicited: carol never sent anything from port 6000, so rdv2's packet must be dropped at rtC.
  expect_unsolicited_dropped 4 carol 203.0.113.23:6000 "$tmp" "by the home router" || fail=1
  # No hairpinning: frank cannot reach erin through rtL's public address, only on the LAN.
  in_ns erin timeout 3 socat -u "UDP4-RECVFROM:7100,reuseaddr,fork" - > "$tmp/erin.rx" 2>/dev/null &
  local re=$!
  wait_udp erin 7100
  in_ns frank socat -u - "UDP4-SENDTO:203.0.113.25:7100,sourceport=7100" <<< "via-public" || true
  in_ns frank socat -u - "UDP4-SENDTO:192.0.2.194:7100,sourceport=7100" <<< "via-lan" || true
  wait "$re" || true
  if [[ $(cat "$tmp/erin.rx") == via-lan ]]; then echo "PASS no hairpinning: only the LAN address reaches a neighbour"
  else echo "FAIL hairpin check: erin got [$(tr '\n' ' ' < "$tmp/erin.rx")]"; fail=1; fi
  return $fail
}

# IPv6 without p2pchat: (1) no NAT66, the rendezvous host sees a client's own global address; (2) a hand-made punch
# through two stateful firewalls, whose first packet the other firewall drops and counts; (3) unsolicited inbound
# is dropped.
cmd_validate6() {
  need_root_and_tools ip6tables socat timeout python3
  validation_lab v6 w
  local tmp=$VALIDATE_TMP fail=0
  in_ns rdv socat "UDP6-RECVFROM:$REFLECT_PORT,fork" 'SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT' > /dev/null 2>&1 &
  wait_udp rdv "$REFLECT_PORT"
  local seen; seen=$(in_ns alice timeout 5 socat -T 3 - "UDP6:[$RDV_ADDR6]:$REFLECT_PORT,sourceport=4000,reuseaddr" \
    <<< "who" 2>/dev/null | head -1)
  # socat writes the address in full ([2001:0db8:0031:...]): compare canonical forms (RFC 5952)
  local canonical; canonical=$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1].strip("[]")))' \
    "${seen% *}" 2>/dev/null || echo "?")
  if [[ $canonical == 2001:db8:31::2 && ${seen##* } == 4000 ]]; then
    echo "PASS no NAT66: rdv saw alice as her own address [$canonical]:${seen##* }"
  else echo "FAIL rdv saw alice as '$seen', not 2001:db8:31::2 port 4000"; fail=1; fi
  local before; before=$(cmd_unsolicited6 fwB)
  hand_punch 6 "[2001:db8:32::2]:5000" "[2001:db8:31::2]:5000" "$tmp" " over IPv6 through two firewalls" || fail=1
  local first=$(( $(cmd_unsolicited6 fwB) - before ))
  if ((first == 1)) && ! grep -q from-alice-1 "$tmp/bob.rx"; then
    echo "PASS fwB dropped alice's first packet (sent before bob's) as unsolicited: counter +1"
  else echo "FAIL fwB's unsolicited counter rose by $first during the punch (want 1), bob got [$(tr '\n' ' ' < "$tmp/bob.rx")]"
    fail=1; fi
  expect_unsolicited_dropped 6 alice "[2001:db8:31::2]:6000" "$tmp" "by the IPv6 firewall" || fail=1
  return $fail
}

# Hand-made simultaneous punch between alice and bob, both from port 5000, over IPv4 or IPv6 (socat's 4 or 6): each
# sends to the other's public address; each side's first packet opens its own router (and is dropped by the
# other), the later ones pass. Prints PASS or FAIL; FAIL returns 1.
hand_punch() { # family aliceToBob bobToAlice tmpDir label
  local fam=$1 to_bob=$2 to_alice=$3 tmp=$4 label=$5
  in_ns alice timeout 4 socat -u "UDP$fam-RECVFROM:5000,reuseaddr,fork" - > "$tmp/alice.rx" 2>/dev/null &
  local ra=$!
  in_ns bob   timeout 4 socat -u "UDP$fam-RECVFROM:5000,reuseaddr,fork" - > "$tmp/bob.rx"   2>/dev/null &
  local rb=$!
  wait_udp alice 5000; wait_udp bob 5000
  local i
  for i in 1 2 3; do
    in_ns alice socat -u - "UDP$fam-SENDTO:$to_bob,sourceport=5000,reuseaddr" <<< "from-alice-$i" 2>/dev/null || true
    in_ns bob   socat -u - "UDP$fam-SENDTO:$to_alice,sourceport=5000,reuseaddr" <<< "from-bob-$i" 2>/dev/null || true
  done
  wait "$ra" "$rb" || true
  local got; got="alice got [$(tr '\n' ' ' < "$tmp/alice.rx")], bob got [$(tr '\n' ' ' < "$tmp/bob.rx")]"
  if grep -q from-bob "$tmp/alice.rx" && grep -q from-alice "$tmp/bob.rx"; then
    echo "PASS hand-made punch$label: $got"; return 0
  fi
  echo "FAIL hand-made punch$label: $got"; return 1
}

# rdv2 sends to a client's port 6000, from which the client never sent anything: its router must drop it.
expect_unsolicited_dropped() { # family host target tmpDir label
  local fam=$1 host=$2 target=$3 tmp=$4 label=$5
  in_ns "$host" timeout 2 socat -u "UDP$fam-RECVFROM:6000,reuseaddr" - > "$tmp/$host.rx" 2>/dev/null &
  local rc=$!
  wait_udp "$host" 6000
  in_ns rdv2 socat -u - "UDP$fam-SENDTO:$target" <<< "unsolicited" || true
  wait "$rc" || true
  if [[ ! -s $tmp/$host.rx ]]; then echo "PASS unsolicited inbound is dropped $label"; return 0; fi
  echo "FAIL unsolicited inbound reached $host"; return 1
}

wait_udp() { # host port: poll until something listens (deadline 10 s)
  local i
  for i in $(seq 100); do
    in_ns "$1" ss -Huln "sport = :$2" | grep -q . && return 0
    sleep 0.1
  done
  die "nothing listens on udp port $2 in $1"
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    cleanup) cmd_cleanup "$@" ;;
    exec) need_root_and_tools; cmd_exec "$@" ;;
    ns) ns_of "${1:?usage: natlab.sh ns <host>}" ;;
    loss) cmd_loss "$@" ;;
    dup) cmd_dup "$@" ;;
    delay) cmd_delay "$@" ;;
    flush) cmd_flush "$@" ;;
    rebind) cmd_rebind "$@" ;;
    rebind-port) cmd_rebind_port "$@" ;;
    block-udp) cmd_block_udp "$@" ;;
    unblock-udp) cmd_unblock_udp "$@" ;;
    unsolicited6) cmd_unsolicited6 "$@" ;;
    upnpd) cmd_upnpd "$@" ;;
    upnpd-stop) cmd_upnpd_stop "$@" ;;
    status) cmd_status ;;
    hosts) cmd_hosts ;;
    validate) cmd_validate ;;
    validate6) cmd_validate6 ;;
    *) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; [[ -z $cmd || $cmd == help || $cmd == -h ]] || exit 2 ;;
  esac
}

main "$@"
