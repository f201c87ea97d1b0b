#!/usr/bin/env bash
# Builds the image's base layer as a directory tree, from this machine's Debian JDK 17 and C
# library, for Jib to put on its empty ("scratch") base (docs/adr/0064): no registry is needed
# to build the image. Usage: runtime.sh OUTPUT_DIR
#
#   OUTPUT_DIR/opt/java          a Java 17 runtime made by jlink from the JDK's jmods
#   OUTPUT_DIR/lib, /lib64, …    the shared libraries that runtime loads (as ldd finds them)
#   OUTPUT_DIR/etc               passwd/group with the user entwine (10001), nsswitch.conf
#   OUTPUT_DIR/tmp, /var/lib/entwine   java.io.tmpdir and the data directory (volumes on Kubernetes)
set -euo pipefail
OUT="${1:?output directory}"
JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[[ -d "$JAVA_HOME/jmods" ]] || { echo "runtime.sh: no jmods in $JAVA_HOME (Debian: openjdk-17-jdk-headless)" >&2; exit 1; }

# What the node and its libraries use: the Java SE modules; sun.misc.Unsafe (Pekko, Netty);
# elliptic-curve TLS; the management beans behind the JVM and process metrics; JFR; DNS.
MODULES=java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.management,jdk.management.jfr,jdk.jfr,jdk.naming.dns,jdk.net,jdk.zipfs,jdk.httpserver,jdk.localedata

rm -rf "$OUT"
mkdir -p "$OUT/opt" "$OUT/etc" "$OUT/tmp" "$OUT/var/lib/entwine"
"$JAVA_HOME/bin/jlink" --module-path "$JAVA_HOME/jmods" --add-modules "$MODULES" \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$OUT/opt/java"

# Debian's JDK links its CA certificates to /etc/ssl/certs/java/cacerts (package
# ca-certificates-java); the image gets the file itself.
cacerts="$OUT/opt/java/lib/security/cacerts"
if [[ -L "$cacerts" || ! -s "$cacerts" ]]; then
  rm -f "$cacerts"
  cp "$(readlink -f "$JAVA_HOME/lib/security/cacerts")" "$cacerts"
fi

# The shared libraries of the launcher and of the runtime's native libraries, with the dynamic
# loader, at the paths they have here (the runtime looks for them there). Not those of AWT, fonts,
# images and sound (java.desktop is in java.se, for java.beans): a headless server never loads
# them, and they would bring X11 and its friends.
find "$OUT/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
  ! -name 'libawt*' ! -name 'libfontmanager.so' ! -name 'libjavajpeg.so' ! -name 'liblcms.so' \
  ! -name 'libmlib_image.so' ! -name 'libsplashscreen.so' ! -name 'libjsound.so' -print0 |
  xargs -0 ldd 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u |
  while read -r library; do
    [[ "$library" == "$OUT"* ]] && continue
    mkdir -p "$OUT$(dirname "$library")"
    cp -L "$library" "$OUT$library"
  done
# glibc loads these by name at run time (name service: users, hosts), so ldd does not list them
for extra in libnss_files.so.2 libnss_dns.so.2 libresolv.so.2; do
  found="$(ldconfig -p | awk -v n="$extra" '$1 == n && /x86-64/ {print $NF; exit}')"
  [[ -n "$found" ]] && { mkdir -p "$OUT$(dirname "$found")"; cp -L "$found" "$OUT$found"; }
done

cat >"$OUT/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/usr/sbin/nologin
entwine:x:10001:10001:Entwine:/var/lib/entwine:/usr/sbin/nologin
PASSWD
cat >"$OUT/etc/group" <<'GROUP'
root:x:0:
entwine:x:10001:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$OUT/etc/nsswitch.conf"
echo "image runtime in $OUT ($(du -sh "$OUT" | cut -f1))"
