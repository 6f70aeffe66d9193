# Sourced by .ci/run and ./run-local: exports JAVA_HOME as a JDK >= 21, preferring the one already
# set, else the newest under /usr/lib/jvm (the machine's default java may be older).
_jdk_major() { "$1/bin/java" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(_jdk_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ] 2>/dev/null; then
  _best=""; _best_major=0
  for _dir in /usr/lib/jvm/*/; do
    _dir=${_dir%/}
    [ -x "$_dir/bin/javac" ] || continue
    _major=$(_jdk_major "$_dir")
    if [ -n "$_major" ] && [ "$_major" -ge 21 ] && [ "$_major" -gt "$_best_major" ]; then
      _best=$_dir; _best_major=$_major
    fi
  done
  if [ -z "$_best" ]; then
    echo "No JDK >= 21 found: install one and set JAVA_HOME" >&2
    exit 1
  fi
  export JAVA_HOME=$_best
fi
export PATH="$JAVA_HOME/bin:$PATH"
