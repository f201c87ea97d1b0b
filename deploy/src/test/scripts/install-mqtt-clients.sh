#!/usr/bin/env bash
# Installs the command-line MQTT clients that MqttCommandLineIT drives, and the broker that
# MqttBridgeIT bridges from, when they are missing:
#   - mosquitto_pub and mosquitto_sub (Debian package mosquitto-clients), with apt-get as root
#     (or password-less sudo);
#   - the mosquitto broker and mosquitto_passwd (Debian package mosquitto);
#   - MQTT.js (npm package mqtt@5) into $ENTWINE_MQTT_JS_DIR (default ~/.cache/entwine/mqtt-js),
#     with Node.js and npm from Debian when those are missing too.
# Called by .ci/run before Maven, and by the IT itself when a tool is missing. Exits non-zero when
# something is still missing afterwards; the IT then skips and says why.
set -uo pipefail

JS_DIR="${ENTWINE_MQTT_JS_DIR:-${HOME}/.cache/entwine/mqtt-js}"
missing=0

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    echo "install-mqtt-clients: need root (or password-less sudo) for: $*" >&2
    return 1
  fi
}

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-mqtt-clients: no apt-get; install $* yourself" >&2
    return 1
  fi
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -qq || return 1
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if ! command -v mosquitto_sub >/dev/null 2>&1 || ! command -v mosquitto_pub >/dev/null 2>&1; then
  echo "install-mqtt-clients: installing mosquitto-clients"
  apt_install mosquitto-clients || missing=1
fi

has_broker() {
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]
}
if ! has_broker || ! command -v mosquitto_passwd >/dev/null 2>&1; then
  echo "install-mqtt-clients: installing mosquitto (the broker)"
  apt_install mosquitto || missing=1
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-mqtt-clients: installing nodejs and npm"
  apt_install nodejs npm || missing=1
fi

if [ ! -f "$JS_DIR/node_modules/mqtt/package.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "install-mqtt-clients: installing MQTT.js (mqtt@5) into $JS_DIR"
    mkdir -p "$JS_DIR"
    npm install --prefix "$JS_DIR" --no-audit --no-fund --loglevel=error mqtt@5 || missing=1
  else
    missing=1
  fi
fi

has_broker || { echo "install-mqtt-clients: the mosquitto broker is missing" >&2; missing=1; }
for tool in mosquitto_sub mosquitto_pub mosquitto_passwd node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-mqtt-clients: $tool is missing" >&2; missing=1; }
done
[ -f "$JS_DIR/node_modules/mqtt/package.json" ] || { echo "install-mqtt-clients: MQTT.js is missing in $JS_DIR" >&2; missing=1; }
exit "$missing"
