# Sourced by chaos.sh and pipeline-benchmark.sh, not run: what both do around their driver (the
# chaos jar's main classes), i.e. find the JDK, take the switches, refuse busy ports, rebuild stale
# jars, run the driver in the background so that Ctrl-C reaches its shutdown hook, and make the run
# directory. Sourced from the repository's root.
. scripts/find-jdk.sh

# take_switches "SWITCH..." ARG...: appends each ARG to the array args when it is one of the
# SWITCHes (one string, space-separated); exits 2 on any other.
take_switches() {
  local allowed=$1 arg
  shift
  for arg in "$@"; do
    if [[ " $allowed " == *" $arg "* ]]; then
      args+=("$arg")
    else
      echo "Unknown argument $arg (use ${allowed// /, }, and environment variables for the rest)" >&2
      exit 2
    fi
  done
}

# refuse_busy_ports HINT PORT...: exits 2 when one of the ports already accepts connections.
refuse_busy_ports() {
  local hint=$1 port
  shift
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "Port $port is in use; set $hint" >&2
      exit 2
    fi
  done
}

# build_stale_jars: packages the services' and the driver's jars when one is older than its sources.
build_stale_jars() {
  . scripts/stale-jar.sh
  if stale_jar local-kafka/target/local-kafka.jar pom.xml local-kafka \
    || stale_jar cryptshare-simulator/target/cryptshare-simulator.jar pom.xml cryptshare-simulator \
    || stale_jar api-gateway/target/api-gateway.jar pom.xml common-model api-gateway \
    || stale_jar transfer-worker/target/transfer-worker.jar pom.xml common-model cryptshare-client transfer-worker \
    || stale_jar status-poller/target/status-poller.jar pom.xml common-model cryptshare-client status-poller \
    || stale_jar chaos/target/chaos.jar pom.xml common-model chaos; then
    echo "Building the jars (./mvnw package -DskipTests)..."
    ./mvnw -B -q -ntp package -DskipTests -DskipChecks \
      -pl local-kafka,cryptshare-simulator,api-gateway,transfer-worker,status-poller,chaos -am
  fi
}

# run_driver NAME COMMAND...: makes RUN_DIR (a fresh temp directory named NAME-*), runs COMMAND
# with --run-dir=RUN_DIR appended in the background and sets status to its exit code. On Ctrl-C
# or TERM it stops the driver (whose shutdown hook stops the processes it started) and exits 130.
run_driver() {
  local name=$1
  shift
  RUN_DIR=$(mktemp -d -t "$name-XXXXXX")
  driver=
  trap on_driver_signal INT TERM
  "$@" --run-dir="$RUN_DIR" &
  driver=$!
  status=0
  wait "$driver" || status=$?
}

on_driver_signal() {
  [ -n "$driver" ] && kill "$driver" 2>/dev/null && wait "$driver" 2>/dev/null
  echo "Interrupted; logs in $RUN_DIR" >&2
  exit 130
}
