# Sourced by the benchmark scripts: stale_jar JAR DIR... is true when JAR is missing or any file
# under the DIRs (sources, poms) is newer than it. Benchmarks must never measure yesterday's code.
stale_jar() {
  local jar=$1
  shift
  [ ! -f "$jar" ] || [ -n "$(find "$@" -path "*/target" -prune -o -type f -newer "$jar" -print -quit 2>/dev/null)" ]
}
