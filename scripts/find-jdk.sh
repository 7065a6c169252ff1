# Sourced by ./glambdar and .ci/run: prints the home of a JDK >= 21 (JAVA_HOME first, then /usr/lib/jvm/*, newest).
find_jdk() {
  local candidates=() c v best="" best_version=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*/; do candidates+=("${c%/}"); done
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    v=${v%%.*}
    [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 21 ] || continue
    if [ "$c" = "${JAVA_HOME:-}" ]; then echo "$c"; return 0; fi
    if [ "$v" -gt "$best_version" ]; then best=$c; best_version=$v; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  echo "No JDK 21 or newer found (looked at JAVA_HOME, /usr/lib/jvm and PATH)." \
       "Install one (e.g. Temurin 21) or set JAVA_HOME to it." >&2
  return 1
}
