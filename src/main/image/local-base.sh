#!/usr/bin/env bash
# Builds a stand-in for the image's published base (Eclipse Temurin's Java 25 JRE on glibc) from
# the JDK on this machine, for machines that reach no container registry: a headless JRE made by
# jlink, laid out like the published base (/opt/java/openjdk, JAVA_HOME, PATH), and the host's
# glibc libraries that it and RocksDB's native library link against (RocksDB's jni needs glibc and
# libstdc++; the musl build would need a musl libstdc++). Written as a `docker save` tar, which Jib
# takes as `tar://` base. Deterministic: the same JDK and libraries give the same layer digest, so
# Jib's cache keeps it across builds.
#
# Usage: local-base.sh JAVA_HOME ROCKSDB_JAR OUT_DIR   (writes OUT_DIR/base.tar)
set -euo pipefail
java_home=$1
rocksdb_jar=$2
out=$3
tar_file="$out/base.tar"
script="${BASH_SOURCE[0]}"

# jlink costs ~10 s: build once per output directory (mvn clean starts over).
if [ -f "$tar_file" ] && [ "$tar_file" -nt "$script" ] && [ "$tar_file" -nt "$rocksdb_jar" ]; then
  echo "local base: $tar_file is up to date"
  exit 0
fi

work="$out/work"
rm -rf "$work" "$tar_file"
rootfs="$work/rootfs"
mkdir -p "$rootfs/opt/java" "$work/native"

# The JRE's modules without the desktop (AWT, sound): what a server needs, as in a headless JRE.
modules=java.base,java.compiler,java.instrument,java.logging,java.management,java.management.rmi
modules+=,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss
modules+=,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto
modules+=,jdk.crypto.cryptoki,jdk.jfr,jdk.management,jdk.management.jfr,jdk.naming.dns,jdk.net
modules+=,jdk.unsupported,jdk.zipfs
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --generate-cds-archive --output "$rootfs/opt/java/openjdk"

# Every shared library the JRE and RocksDB's jni load from the system, at the path the loader
# looks in (ldd prints it); the JRE's own libraries are already in place.
(cd "$work/native" && "$java_home/bin/jar" xf "$rocksdb_jar" librocksdbjni-linux64.so)
{
  find "$rootfs/opt/java/openjdk" -name '*.so' -print0 | xargs -0 ldd
  ldd "$work/native/librocksdbjni-linux64.so"
} 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' |
  grep -v -F "$rootfs/" | sort -u |
  while read -r lib; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done

mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/var/lib"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

layer="$work/layer.tar"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$layer" -C "$rootfs" .
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
gzip -n -1 "$layer"

mkdir -p "$work/image"
mv "$layer.gz" "$work/image/layer.tar.gz"
java_version=$("$rootfs/opt/java/openjdk/bin/java" -XshowSettings:properties -version 2>&1 |
  awk -F' = ' '/java.runtime.version/ { print $2 }')
cat >"$work/image/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "JAVA_HOME=/opt/java/openjdk","JAVA_VERSION=$java_version","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"src/main/image/local-base.sh (jlink $java_version)"}]}
EOF
cat >"$work/image/manifest.json" <<EOF
[{"Config":"config.json","RepoTags":["stevedore-local-base:latest"],"Layers":["layer.tar.gz"]}]
EOF
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$tar_file" -C "$work/image" \
  manifest.json config.json layer.tar.gz
rm -rf "$work"
echo "local base: $tar_file ($(du -h "$tar_file" | cut -f1), Java $java_version, layer $diff_id)"
