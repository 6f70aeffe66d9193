#!/usr/bin/env bash
# Benchmark of the status-poller at scale: ONE poller instance (-Xmx512m) watches 100,000 transfers
# in PROCESSING against the Cryptshare simulator, with a real single-node KRaft broker, everything
# on this machine and on loopback only. Reports heap, CPU, polls per second, requests per second and
# schedule lag over a steady-state window. Not a test: it asserts nothing and never runs in
# ./mvnw verify. Do not run it next to a build: it wants the machine's cores to itself.
#
#   benchmarks/poller-benchmark.sh                     # 100,000 transfers of 1,000 senders
#   TRANSFERS=20000 SENDERS=200 DURATION=60 benchmarks/poller-benchmark.sh
#
# Settings (environment): TRANSFERS (100000), SENDERS (1000; transfer i belongs to sender i mod
# SENDERS), PROCESSING (PT2H: how long the simulator keeps each transfer PROCESSING, longer than the
# run), RATE_CAP (50: cryptshare.poller.max-requests-per-second, the default), BULK (true:
# cryptshare.poller.bulk.enabled), WARMUP seconds (300: all 100,000 arrive within half a minute,
# far faster than in real life, and the lane needs a few minutes to work off that burst under the
# rate cap; the progress lines show the lag falling), DURATION seconds (120), PARTITIONS (6), HEAP (512m), KAFKA_PORT (19092; the controller uses
# the next port), SIMULATOR_PORT (18090), POLLER_PORT (18083), KEEP_LOGS (unset: delete them).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh

TRANSFERS=${TRANSFERS:-100000}
SENDERS=${SENDERS:-1000}
PROCESSING=${PROCESSING:-PT2H}
RATE_CAP=${RATE_CAP:-50}
BULK=${BULK:-true}
WARMUP=${WARMUP:-300}
DURATION=${DURATION:-120}
PARTITIONS=${PARTITIONS:-6}
HEAP=${HEAP:-512m}
KAFKA_PORT=${KAFKA_PORT:-19092}
SIMULATOR_PORT=${SIMULATOR_PORT:-18090}
POLLER_PORT=${POLLER_PORT:-18083}
TOPIC=cryptshare.transfer.events

classpath_file=status-poller/target/benchmark.classpath
. scripts/stale-jar.sh
if stale_jar local-kafka/target/local-kafka.jar pom.xml local-kafka \
  || stale_jar cryptshare-simulator/target/cryptshare-simulator.jar pom.xml cryptshare-simulator \
  || stale_jar status-poller/target/status-poller.jar pom.xml common-model cryptshare-client status-poller \
  || [ ! -f "$classpath_file" ] \
  || [ ! -f status-poller/target/test-classes/io/github/cspipeline/poller/benchmark/PollerBenchmark.class ]; then
  echo "Building the jars and the load generator (./mvnw package -DskipTests)..."
  ./mvnw -B -q -ntp package dependency:build-classpath -DskipTests -DskipChecks \
    -Dmdep.outputFile=target/benchmark.classpath -Dmdep.includeScope=test \
    -pl local-kafka,cryptshare-simulator,status-poller -am
fi
LOADER_CP="status-poller/target/test-classes:status-poller/target/classes:$(cat "$classpath_file")"

STATE=$(mktemp -d -t poller-benchmark-XXXXXX)
PIDS=()
stop_all() {
  trap - INT TERM EXIT
  # One after the other, the poller first: it hands its partitions over while Kafka still runs.
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
  if [ -n "${KEEP_LOGS:-}" ]; then echo "Logs kept in $STATE"; else rm -rf "$STATE"; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$KAFKA_PORT" $((KAFKA_PORT + 1)) "$SIMULATOR_PORT" "$POLLER_PORT"; do
  if port_busy "$port"; then
    echo "Port $port is in use; set KAFKA_PORT / SIMULATOR_PORT / POLLER_PORT" >&2; exit 1
  fi
done
wait_until() { # description, timeout seconds, command...
  local what=$1 deadline=$(( $(date +%s) + $2 )); shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "$what did not come up; logs in $STATE" >&2; KEEP_LOGS=1; exit 1; fi
    sleep 0.5
  done
}

java -jar local-kafka/target/local-kafka.jar "$KAFKA_PORT" "$STATE/kafka-data" >"$STATE/kafka.log" 2>&1 &
PIDS+=($!)
wait_until "Kafka" 60 port_busy "$KAFKA_PORT"
java -cp "$LOADER_CP" io.github.cspipeline.poller.benchmark.PollerBenchmark create-topic \
  --kafka="127.0.0.1:$KAFKA_PORT" --topic="$TOPIC" --partitions="$PARTITIONS"

# The simulator gets its own heap: it holds the 100,000 transfers, the poller must not pay for them.
java -Xmx1g -jar cryptshare-simulator/target/cryptshare-simulator.jar \
  --server.address=127.0.0.1 --server.port="$SIMULATOR_PORT" \
  --logging.level.io.github.cspipeline.simulator=WARN \
  >"$STATE/simulator.log" 2>&1 &
PIDS+=($!)
wait_until "the simulator" 120 curl -fsS "http://127.0.0.1:$SIMULATOR_PORT/actuator/health"

java -Xmx"$HEAP" -jar status-poller/target/status-poller.jar \
  --management.server.address=127.0.0.1 --management.server.port="$POLLER_PORT" \
  --spring.kafka.bootstrap-servers="127.0.0.1:$KAFKA_PORT" \
  --cryptshare.servers.default.base-url="http://127.0.0.1:$SIMULATOR_PORT" \
  --cryptshare.servers.default.client-id=BenchmarkClientId0123456789abcdefghijklmnopqrstuvwxyz \
  --cryptshare.poller.topics.events="$TOPIC" \
  --cryptshare.poller.max-requests-per-second="$RATE_CAP" \
  --cryptshare.poller.bulk.enabled="$BULK" \
  >"$STATE/status-poller.log" 2>&1 &
POLLER_PID=$!
PIDS+=($POLLER_PID)
wait_until "status-poller" 120 curl -fsS "http://127.0.0.1:$POLLER_PORT/actuator/health"

echo "Kafka, simulator and one status-poller (-Xmx$HEAP, rate cap $RATE_CAP/s, bulk $BULK) are up on $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$LOADER_CP" io.github.cspipeline.poller.benchmark.PollerBenchmark run \
  --kafka="127.0.0.1:$KAFKA_PORT" --topic="$TOPIC" \
  --simulator="http://127.0.0.1:$SIMULATOR_PORT" \
  --poller="http://127.0.0.1:$POLLER_PORT" --poller-pid="$POLLER_PID" \
  --transfers="$TRANSFERS" --senders="$SENDERS" --processing="$PROCESSING" \
  --warmup="$WARMUP" --duration="$DURATION" --rate-cap="$RATE_CAP"
echo "Load after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; other processes count too)"
if grep -q "ERROR" "$STATE/status-poller.log"; then
  echo "The poller logged errors:"; grep -m 5 "ERROR" "$STATE/status-poller.log"
fi
