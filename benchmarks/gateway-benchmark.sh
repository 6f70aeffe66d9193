#!/usr/bin/env bash
# Benchmark of the api-gateway's accept path: unique finalize requests at a fixed rate from a
# second process (wrk), against a real single-node KRaft broker, everything on this machine and on
# loopback only. Reports throughput and latency percentiles (p50/p99/max). Not a test: it asserts
# nothing and never runs in ./mvnw verify.
#
#   benchmarks/gateway-benchmark.sh            # 1,000 requests/s for 30 s after a 60 s warm-up
#   RATE=500 DURATION=60 benchmarks/gateway-benchmark.sh
#
# Settings (environment): RATE (1000), DURATION seconds (30), WARMUP seconds (60; the JIT needs about
# that long at this rate, before it the gateway spends much of its CPU compiling), CONNECTIONS (100),
# THREADS (2), KAFKA_PORT (19092; the controller uses the next port), GATEWAY_PORT (18080; management on the next port),
# GATEWAY_JAVA_OPTS (JVM options of the gateway) and GATEWAY_ARGS (extra --key=value settings).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh

RATE=${RATE:-1000}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-60}
CONNECTIONS=${CONNECTIONS:-100}
THREADS=${THREADS:-2}
KAFKA_PORT=${KAFKA_PORT:-19092}
GATEWAY_PORT=${GATEWAY_PORT:-18080}
MANAGEMENT_PORT=$((GATEWAY_PORT + 1))
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}
GATEWAY_ARGS=${GATEWAY_ARGS:-}
API_KEY=benchmark-key-$RANDOM$RANDOM
export RATE THREADS API_KEY

if ! command -v wrk >/dev/null 2>&1; then
  echo "Installing wrk (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk) >/dev/null
fi

. scripts/stale-jar.sh
if stale_jar local-kafka/target/local-kafka.jar pom.xml local-kafka \
  || stale_jar api-gateway/target/api-gateway.jar pom.xml common-model api-gateway; then
  echo "Building the jars (./mvnw package -DskipTests)..."
  ./mvnw -B -q -ntp package -DskipTests -DskipChecks -pl local-kafka,api-gateway -am
fi

STATE=$(mktemp -d -t gateway-benchmark-XXXXXX)
PIDS=()
stop_all() {
  trap - INT TERM EXIT
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$STATE"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$KAFKA_PORT" $((KAFKA_PORT + 1)) "$GATEWAY_PORT" "$MANAGEMENT_PORT"; do
  if port_busy "$port"; then echo "Port $port is in use; set KAFKA_PORT / GATEWAY_PORT" >&2; exit 1; fi
done
wait_until() { # description, timeout seconds, command...
  local what=$1 deadline=$(( $(date +%s) + $2 )); shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "$what did not come up; logs in $STATE" >&2; exit 1; fi
    sleep 0.5
  done
}

java -jar local-kafka/target/local-kafka.jar "$KAFKA_PORT" "$STATE/kafka-data" >"$STATE/kafka.log" 2>&1 &
PIDS+=($!)
wait_until "Kafka" 60 port_busy "$KAFKA_PORT"

hash=$(printf %s "$API_KEY" | sha256sum | cut -d' ' -f1)
# shellcheck disable=SC2086 # word splitting of the two settings is wanted
java $GATEWAY_JAVA_OPTS -jar api-gateway/target/api-gateway.jar \
  --server.address=127.0.0.1 --server.port="$GATEWAY_PORT" \
  --management.server.address=127.0.0.1 --management.server.port="$MANAGEMENT_PORT" \
  --spring.kafka.bootstrap-servers="127.0.0.1:$KAFKA_PORT" \
  --cryptshare.servers.default.base-url=http://127.0.0.1:1 \
  --cryptshare.gateway.api-keys[0].name=benchmark \
  --cryptshare.gateway.api-keys[0].sha256="$hash" \
  --cryptshare.gateway.api-keys[0].requests-per-second=1000000 \
  --logging.level.io.github.cspipeline.gateway.finalization=WARN $GATEWAY_ARGS \
  >"$STATE/api-gateway.log" 2>&1 &
PIDS+=($!)
wait_until "api-gateway" 120 curl -fsS "http://127.0.0.1:$MANAGEMENT_PORT/actuator/health/readiness"

url="http://127.0.0.1:$GATEWAY_PORT"
echo "Gateway and Kafka are up on $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Warm-up: ${WARMUP}s at $RATE requests/s..."
RUN_ID=w$RANDOM wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s benchmarks/gateway/finalize.lua "$url" >/dev/null
metrics() { curl -fsS "http://127.0.0.1:$MANAGEMENT_PORT/actuator/prometheus"; }
metrics >"$STATE/metrics-before.txt"
echo "Measuring: ${DURATION}s at $RATE requests/s, $CONNECTIONS connections, $THREADS wrk threads"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -s benchmarks/gateway/finalize.lua $url"
RUN_ID=m$RANDOM wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
  -s benchmarks/gateway/finalize.lua "$url"

echo "Load after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; other processes count too)"
echo "----- the gateway's own view of the measured run: cryptshare.gateway.accept.latency -----"
metrics >"$STATE/metrics-after.txt"
# Percentiles from the histogram's growth during the run: the upper bound of the bucket where the
# rank falls (so "<=").
awk -F'[{}" ]+' '/^cryptshare_gateway_accept_latency_seconds_bucket/ {
    for (i = 1; i <= NF; i++) if ($i == "le=") le = $(i + 1)
    if (FNR == NR) { before[le] = $NF; next }
    les[n] = le; counts[n] = $NF - before[le]; n++
  }
  END {
    total = counts[n - 1]
    printf "accepted during the run: %d\n", total
    split("50 90 99 99.9", ps, " ")
    for (j = 1; j <= 4; j++) {
      for (k = 0; k < n; k++) if (counts[k] >= total * ps[j] / 100) break
      printf "server-side accept latency p%s <= %.1f ms\n", ps[j], les[k] * 1000
    }
  }' "$STATE/metrics-before.txt" "$STATE/metrics-after.txt"
