# Shared by bin/vertx and bin/p2pchat: where the jar is, and building it when it is missing or
# older than the sources.
JAR="$ROOT/target/p2pchat.jar"
# Hazelcast (clustering) asks for these on Java 17; harmless without it.
JAVA_FLAGS="${JAVA_FLAGS:-} --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
-Dhazelcast.logging.type=slf4j -Dhazelcast.wait.seconds.before.join=0 \
-Dvertx.hazelcast.config=${P2PCHAT_CLUSTER_CONFIG:-$ROOT/conf/cluster.xml}"

build_if_stale() {
  if [[ ! -f "$JAR" ]] || [[ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$JAR" -type f 2>/dev/null | head -1)" ]]; then
    echo "* building target/p2pchat.jar (first run or sources changed)..." >&2
    # Maven prints colour resets even in batch mode: strip them, keep its exit status.
    (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests package 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; exit "${PIPESTATUS[0]}")
  fi
}
