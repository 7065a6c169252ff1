# Sourced by ./glambdar and .ci/run: prints the home of a JDK >= 21 (JAVA_HOME first, then /usr/lib/jvm/*, newest).
# Reads each JDK's version from its `release` file (starting a JVM per candidate would cost ~0.1 s each, on every
# `./glambdar` command); only a JDK without one is asked by running it.

# The feature version (21, 25, ...) of the JDK at $1, or nothing.
jdk_version() {
  local v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    v=${v%%.*}
  fi
  echo "$v"
}

find_jdk() {
  local candidates=() c v best="" best_version=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*/; do candidates+=("${c%/}"); done
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(jdk_version "$c")
    [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 21 ] || continue
    if [ "$c" = "${JAVA_HOME:-}" ]; then echo "$c"; return 0; fi
    if [ "$v" -gt "$best_version" ]; then best=$c; best_version=$v; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  echo "No JDK 21 or newer found (looked at JAVA_HOME, /usr/lib/jvm and PATH)." \
       "Install one (e.g. Temurin 21) or set JAVA_HOME to it." >&2
  return 1
}
