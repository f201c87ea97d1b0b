#!/usr/bin/env bash
# Gathers what deploy/k8s/Dockerfile copies: the node's classes and every runtime dependency jar
# (from deploy/target/entwine.classpath, written by the build) into deploy/target/image.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLASSPATH_FILE="$ROOT/deploy/target/entwine.classpath"
[[ -f "$CLASSPATH_FILE" ]] || { echo "build first: ./mvnw -B install -DskipTests" >&2; exit 1; }
IMAGE="$ROOT/deploy/target/image"
rm -rf "$IMAGE"
mkdir -p "$IMAGE/lib"
cp -r "$ROOT/deploy/target/classes" "$IMAGE/classes"
tr ':' '\n' <"$CLASSPATH_FILE" | while read -r jar; do
  [[ -n "$jar" ]] && cp "$jar" "$IMAGE/lib/"
done
cp "$ROOT/deploy/k8s/Dockerfile" "$IMAGE/"
echo "image context in $IMAGE ($(ls "$IMAGE/lib" | wc -l) jars); now:"
echo "  docker build -t entwine:0.1.0 -f deploy/k8s/Dockerfile $IMAGE"
