#!/usr/bin/env bash
# The chaos suite: proves, against separate processes, that every transfer the gateway accepted ends
# in exactly one terminal event. Starts a KRaft broker (local-kafka, own data directory), the
# Cryptshare simulator, ONE api-gateway, TWO transfer-workers and TWO status-pollers on loopback;
# submits transfers through the gateway (ACTIVE, FAILED, unverified sender, file not uploaded,
# 5 % repeats, edge inputs), injects Cryptshare faults (10 % 503, 5 % lost answers, 429 bursts, one
# 20 s outage), kill -9s a worker, a poller, the gateway or the broker every 20 s and restarts it
# (the broker on the same data directory); then waits for the terminal events and audits the
# events topic (read_committed) and the simulator. Prints a table; exits 1 on any violation, 2
# when the run itself failed. Design: docs/adr/025-chaos-suite.md.
#
#   benchmarks/chaos.sh                 # 10,000 transfers at 30/s (about 6 min of load)
#   benchmarks/chaos.sh --short         # CI: 500 at 15/s, 3 kills (worker, broker, poller)
#   N=2000 RATE=30 benchmarks/chaos.sh
#
# Settings (environment): N (transfers; repeats come on top), RATE (per second), SEED (1),
# KILL_EVERY seconds, KILLS (comma list of worker, poller, gateway, broker, in turn),
# TERMINAL_TIMEOUT seconds (how long accepted transfers may take to end after the load),
# PROCESSING_TIME (PT1S, the simulator's), KAFKA_PORT (19392; the controller takes the next),
# SIMULATOR_PORT (18390), GATEWAY_PORT (18380), WORKER_PORTS (18382,18482),
# POLLER_PORTS (18383,18483), SERVICE_JAVA_OPTS, KEEP_LOGS (set: keep the run directory also when
# the run passed; a failed run always keeps it). Do not run it next to a build.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/driver.sh

args=()
take_switches "--short" "$@"
[ -n "${N:-}" ] && args+=("--transfers=$N")
[ -n "${RATE:-}" ] && args+=("--rate=$RATE")
[ -n "${SEED:-}" ] && args+=("--seed=$SEED")
[ -n "${KILL_EVERY:-}" ] && args+=("--kill-every=$KILL_EVERY")
[ -n "${KILLS:-}" ] && args+=("--kills=$KILLS")
[ -n "${TERMINAL_TIMEOUT:-}" ] && args+=("--terminal-timeout=$TERMINAL_TIMEOUT")
[ -n "${PROCESSING_TIME:-}" ] && args+=("--processing-time=$PROCESSING_TIME")
[ -n "${SERVICE_JAVA_OPTS:-}" ] && args+=("--java-opts=$SERVICE_JAVA_OPTS")
KAFKA_PORT=${KAFKA_PORT:-19392}
SIMULATOR_PORT=${SIMULATOR_PORT:-18390}
GATEWAY_PORT=${GATEWAY_PORT:-18380}
WORKER_PORTS=${WORKER_PORTS:-18382,18482}
POLLER_PORTS=${POLLER_PORTS:-18383,18483}
args+=("--kafka-port=$KAFKA_PORT" "--simulator-port=$SIMULATOR_PORT" "--gateway-port=$GATEWAY_PORT"
  "--worker1-port=${WORKER_PORTS%,*}" "--worker2-port=${WORKER_PORTS#*,}"
  "--poller1-port=${POLLER_PORTS%,*}" "--poller2-port=${POLLER_PORTS#*,}")

refuse_busy_ports "KAFKA_PORT / SIMULATOR_PORT / GATEWAY_PORT / WORKER_PORTS / POLLER_PORTS" \
  "$KAFKA_PORT" $((KAFKA_PORT + 1)) "$SIMULATOR_PORT" "$GATEWAY_PORT" $((GATEWAY_PORT + 1)) ${WORKER_PORTS//,/ } ${POLLER_PORTS//,/ }
build_stale_jars

run_driver chaos java -Xmx512m -jar chaos/target/chaos.jar --root="$PWD" "${args[@]}"
if [ "$status" -eq 0 ] && [ -z "${KEEP_LOGS:-}" ]; then
  rm -rf "$RUN_DIR"
else
  echo "Logs of every process: $RUN_DIR"
fi
exit "$status"
