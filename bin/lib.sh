# Shared by bin/vertx and bin/p2pchat: where the jars are, and building them when they are missing
# or older than the sources. The application's fat jar is built by the app module, the benchmark's
# by the bench module (README, "Modules").
JAR="$ROOT/app/target/p2pchat.jar"
BENCH_JAR="$ROOT/bench/target/p2pchat-bench.jar"
# Memory of a chat node: it keeps little (send windows of 1 MiB per peer, the recent history, the
# event-bus queues), but the JVM's default sizes the heap from the machine (1/4 of RAM, initial
# 1/64) and G1 then grows a busy node to 300-650 MiB resident. At most 112 MiB of heap (a flooding
# node keeps ~20 MiB live) and the serial collector, whose bookkeeping is a few hundred KiB where
# G1's took 40 MiB (NMT, bench node); one event loop does a node's work, so a single-threaded
# collector costs it little. Most nodes sit idle (a chat window left open), so the heap starts at
# 24 MiB and grows only when a node is busy; NewRatio=1 lets the young generation grow with it to
# half the heap (a node at 20,000 messages/s makes ~65 MB/s of short-lived garbage). The JVM's own
# native allocations (the JIT's arenas after start-up's compiling) are given back to the OS every
# 10 s. bench (docs/BENCH.md, "Issue 20, step 4"): idle node 146-148 -> 94-101 MiB resident,
# flooding sender 272-303 -> 165-182 MiB, at the price of twice the young collections in a flood
# (round trips at 10,000/s: p99 430-580 -> 590-970 us). A bot or bridge that floods and cares for
# that tail: P2PCHAT_JAVA_HEAP="-Xmx112m -Xmn56m -XX:+UseSerialGC". A rendezvous keeps the JVM's
# defaults: it holds up to maxClients registrations (and Hazelcast when clustered). Set
# P2PCHAT_JAVA_HEAP (e.g. -Xmx512m for a node in a large busy room) or JVM flags in JAVA_FLAGS,
# which come later and win.
heap_flags() {
  case " $* " in
    *RendezvousVerticle*) echo "${P2PCHAT_JAVA_HEAP:-}" ;;
    *) echo "${P2PCHAT_JAVA_HEAP:--Xms24m -Xmx112m -XX:NewRatio=1 -XX:+UseSerialGC} $(trim_flag)" ;;
  esac
}
# -XX:TrimNativeHeapInterval (JDK 17.0.9 and later; an older JVM would refuse to start with it):
# asked once per java binary, then remembered next to the jar (the binary's path on the first line,
# the flag or nothing on the second). Only a JVM that names the option unrecognized is remembered
# without it; one that failed to start for another reason is asked again next time. A read-only
# checkout asks every time, quietly. 10 s: a trim costs the JVM's trimmer thread a millisecond or
# so, and a node's native heap only grows in bursts (start-up, the JIT).
TRIM_INTERVAL_MS=10000
trim_flag() {
  local cache="$ROOT/target/trim-flag" java_bin key flag out
  java_bin=$(readlink -f "$(command -v java)" 2>/dev/null) || return 0
  if [[ -r "$cache" ]] && { read -r key && read -r flag; } < "$cache" && [[ "$key" == "$java_bin" ]]; then
    echo "$flag"
    return 0
  fi
  if out=$(java -XX:TrimNativeHeapInterval=$TRIM_INTERVAL_MS -version 2>&1); then
    flag="-XX:TrimNativeHeapInterval=$TRIM_INTERVAL_MS"
  elif [[ "$out" == *"Unrecognized VM option"* ]]; then
    flag=""
  else
    return 0
  fi
  { mkdir -p "$ROOT/target" && printf '%s\n%s\n' "$java_bin" "$flag" > "$cache.$$" && mv -f "$cache.$$" "$cache"; } 2>/dev/null \
    || rm -f "$cache.$$" 2>/dev/null
  echo "$flag"
}
# Hazelcast (clustering) asks for these on Java 17; harmless without it.
JAVA_FLAGS="${JAVA_FLAGS:-} --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
-Dhazelcast.logging.type=slf4j -Dhazelcast.wait.seconds.before.join=0 \
-Dvertx.hazelcast.config=${P2PCHAT_CLUSTER_CONFIG:-$ROOT/conf/cluster.xml}"

# Java 17 and Maven: installed from Debian's packages when missing and we are root.
ensure_toolchain() {
  if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "* installing Java 17 and Maven..." >&2
      apt-get update -qq >&2 && apt-get install -y -qq openjdk-17-jdk-headless maven >&2
    else
      echo "p2pchat: Java 17 and Maven are needed (run as root to have them installed)" >&2
      exit 1
    fi
  fi
}

# The main sources and poms of every module but the tests'.
sources() {
  find "$ROOT" -path "$ROOT/integration-tests" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$1" -print 2>/dev/null
}

# Builds (and installs into ~/.m2, so an application can depend on the library artifacts) every
# module when the jar $1 (default: the application's) is missing or older than the sources.
build_if_stale() {
  local jar="${1:-$JAR}" module=app
  [[ "$jar" == "$BENCH_JAR" ]] && module=bench
  ensure_toolchain
  stale "$jar" || return 0
  # One build at a time: a rendezvous and a node started together in two terminals after a pull
  # would otherwise run two Maven builds over the same target/ folders. The second waits, then
  # finds the jar fresh.
  mkdir -p "$ROOT/target"
  (
    flock 9
    if stale "$jar"; then
      echo "* building ${jar#$ROOT/} (first run or sources changed)..." >&2
      # Maven prints colour resets even in batch mode: strip them, keep its exit status.
      cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests install -pl "$module" -am 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
      exit "${PIPESTATUS[0]}"
    fi
  ) 9>"$ROOT/target/build.lock"
}

# True when the jar $1 is missing or older than the sources.
stale() {
  [[ ! -f "$1" ]] || [[ -n "$(sources "$1" | head -1)" ]]
}
