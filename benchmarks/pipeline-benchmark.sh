#!/usr/bin/env bash
# Benchmark of the whole pipeline (issue 12): a KRaft broker (local-kafka), the Cryptshare simulator
# (auto-sessions, 2 s processing), ONE transfer-worker and ONE status-poller with their request
# limits off (rate limits off, 64 requests in flight), as separate processes on loopback. Sends N commands straight onto cryptshare.finalize.commands
# (as the gateway writes them, no credential) in one burst or at a rate, waits for N terminal events
# and reports: transfers/s from the first command to the N-th terminal event; request->terminal and
# PROCESSING->terminal p50/p99; CPU seconds per transfer of each process (/proc, before the first
# command and at the N-th terminal event); heap after a full GC; Cryptshare requests per transfer
# by endpoint. Exits 1 on any missing or duplicated terminal event, 2 when the run failed. Writes
# the figures also as <run dir>/summary.json. Do not run it next to a build: CPU seconds are its
# main figure, and other processes slow the JIT and the schedule; the load average is printed.
#
#   benchmarks/pipeline-benchmark.sh                  # 20,000 commands of 50 senders, one burst,
#                                                     # after 10,000 unmeasured (warm-up)
#   benchmarks/pipeline-benchmark.sh --jfr            # the same with a JFR profile of every JVM
#   benchmarks/pipeline-benchmark.sh --via-gateway    # through the api-gateway's REST API
#   WARMUP=0 benchmarks/pipeline-benchmark.sh         # cold: JVMs measured from their start
#   N=5000 RATE=200 benchmarks/pipeline-benchmark.sh
#
# Switches: --jfr (JFR.start settings=profile in every JVM for the measured window; prints per
# process the hottest frames, our own hottest frames, threads and allocation sites; the .jfr files
# stay in the run directory; `jfr view hot-methods <file>` shows more), --via-gateway (the gateway's
# key allows 1,000,000 requests/s; CONCURRENCY requests in flight), --default-limits (worker and
# poller keep their default Cryptshare request limits: what one instance sustains as shipped; with
# RATE above that rate a queue builds and the run shows it; without the switch the rate limits are
# off and 64 requests may be in flight per service).
# Settings (environment): N (20000), WARMUP (10000: transfers sent and waited for before the
# measured window, so that it does not count most of the JIT compiler's first minutes, a cost per
# process start, not per transfer; the table shows the JIT threads' share either way), SENDERS (50: transfer i belongs to sender-<i mod SENDERS>),
# RATE (0 = one burst; else commands per second), CONCURRENCY (50, gateway mode), PROCESSING_TIME
# (PT2S), TERMINAL_TIMEOUT seconds (900), SERVICE_JAVA_OPTS ("-Xmx512m -XX:+UseSerialGC"),
# BROKER_JAVA_OPTS (the same), WORKER_ARGS / POLLER_ARGS (extra --key=value settings, e.g. to
# compare one), KAFKA_PORT (19492; the controller takes the next), SIMULATOR_PORT (18590),
# GATEWAY_PORT (18580; management on the next), WORKER_PORT (18582), POLLER_PORT (18583),
# SUMMARY (also copy summary.json there), KEEP_LOGS (keep the whole run directory; else only
# summary.json, the .jfr files and the logs are kept, the broker's data is deleted).
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/driver.sh

args=()
take_switches "--jfr --via-gateway --default-limits" "$@"
[ -n "${JFR:-}" ] && args+=(--jfr)
[ -n "${N:-}" ] && args+=("--transfers=$N")
[ -n "${WARMUP:-}" ] && args+=("--warmup=$WARMUP")
[ -n "${SENDERS:-}" ] && args+=("--senders=$SENDERS")
[ -n "${RATE:-}" ] && args+=("--rate=$RATE")
[ -n "${CONCURRENCY:-}" ] && args+=("--concurrency=$CONCURRENCY")
[ -n "${PROCESSING_TIME:-}" ] && args+=("--processing-time=$PROCESSING_TIME")
[ -n "${TERMINAL_TIMEOUT:-}" ] && args+=("--terminal-timeout=$TERMINAL_TIMEOUT")
[ -n "${SERVICE_JAVA_OPTS:-}" ] && args+=("--java-opts=$SERVICE_JAVA_OPTS")
[ -n "${BROKER_JAVA_OPTS:-}" ] && args+=("--broker-java-opts=$BROKER_JAVA_OPTS")
[ -n "${WORKER_ARGS:-}" ] && args+=("--worker-args=$WORKER_ARGS")
[ -n "${POLLER_ARGS:-}" ] && args+=("--poller-args=$POLLER_ARGS")
KAFKA_PORT=${KAFKA_PORT:-19492}
SIMULATOR_PORT=${SIMULATOR_PORT:-18590}
GATEWAY_PORT=${GATEWAY_PORT:-18580}
WORKER_PORT=${WORKER_PORT:-18582}
POLLER_PORT=${POLLER_PORT:-18583}
args+=("--kafka-port=$KAFKA_PORT" "--simulator-port=$SIMULATOR_PORT" "--gateway-port=$GATEWAY_PORT"
  "--worker-port=$WORKER_PORT" "--poller-port=$POLLER_PORT")

refuse_busy_ports "KAFKA_PORT / SIMULATOR_PORT / GATEWAY_PORT / WORKER_PORT / POLLER_PORT" \
  "$KAFKA_PORT" $((KAFKA_PORT + 1)) "$SIMULATOR_PORT" "$GATEWAY_PORT" $((GATEWAY_PORT + 1)) "$WORKER_PORT" "$POLLER_PORT"
build_stale_jars

# The chaos jar's second main class, through Spring Boot's launcher (the jar's Start-Class is the
# chaos suite).
run_driver pipeline-benchmark java -Xmx1g -Dloader.main=io.github.cspipeline.chaos.PipelineBenchmark \
  -cp chaos/target/chaos.jar org.springframework.boot.loader.launch.PropertiesLauncher \
  --root="$PWD" "${args[@]}"
[ -z "${KEEP_LOGS:-}" ] && rm -rf "$RUN_DIR/kafka-data" "$RUN_DIR/gateway-view"
[ -n "${SUMMARY:-}" ] && [ -f "$RUN_DIR/summary.json" ] && cp "$RUN_DIR/summary.json" "$SUMMARY"
echo "Run directory (logs, summary.json, .jfr files): $RUN_DIR"
exit "$status"
