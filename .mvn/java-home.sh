# Sourced by ./mvnw and ./stevedore: Stevedore needs Java 25+, but many machines default to an
# older java. Keep JAVA_HOME when it already points at 25+, else take the newest /usr/lib/jvm JDK
# that is 25+. Leaves JAVA_HOME untouched when none is found (the caller then says so).
stevedore_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
if [ -z "${JAVA_HOME-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] ||
  [ "$(stevedore_java_major "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  for stevedore_jdk_name in $(ls /usr/lib/jvm 2>/dev/null | sort -r); do
    stevedore_jdk="/usr/lib/jvm/$stevedore_jdk_name"
    if [ -x "$stevedore_jdk/bin/javac" ] && [ "$(stevedore_java_major "$stevedore_jdk")" -ge 25 ] 2>/dev/null; then
      JAVA_HOME="$stevedore_jdk"
      export JAVA_HOME
      break
    fi
  done
fi
