# Sourced by ./mvnw, ./regions and .ci/run (POSIX sh). Regions needs JDK 22+ (built and tested
# on 25). When neither $JAVA_HOME nor the java on the PATH is that new, look for one under
# /usr/lib/jvm (and /Library/Java/JavaVirtualMachines on macOS) and export JAVA_HOME to it.

regions_java_feature() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1
}

regions_is_jdk22() {
  [ -x "$1/bin/java" ] || return 1
  regions_v=$(regions_java_feature "$1/bin/java")
  [ -n "$regions_v" ] && [ "$regions_v" -ge 22 ] 2>/dev/null
}

if [ -n "${JAVA_HOME-}" ] && regions_is_jdk22 "$JAVA_HOME"; then
  :
elif command -v java >/dev/null 2>&1 && regions_is_jdk22 "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  export JAVA_HOME
else
  regions_found=
  case $- in *f*) regions_noglob=1; set +f ;; *) regions_noglob= ;; esac
  for regions_candidate in /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/*25* /usr/lib/jvm/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    if regions_is_jdk22 "$regions_candidate"; then
      regions_found=$regions_candidate
      break
    fi
  done
  [ -z "$regions_noglob" ] || set -f
  if [ -n "$regions_found" ]; then
    [ -z "${JAVA_HOME-}" ] || echo "Regions: JAVA_HOME=$JAVA_HOME is older than JDK 22; using $regions_found" >&2
    JAVA_HOME=$regions_found
    export JAVA_HOME
  else
    echo "Regions needs JDK 22 or newer (JDK 25 recommended): set JAVA_HOME to one." >&2
  fi
fi
