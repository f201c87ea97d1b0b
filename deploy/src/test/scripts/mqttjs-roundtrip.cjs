// MQTT.js over WebSocket, as a browser or Node.js application would use Entwine: an application
// subscribes to every device event, a device subscribes to its commands and publishes an event;
// when the application sees it, it sends the device a command. Prints one line per message
// received ("app TOPIC PAYLOAD", "device TOPIC PAYLOAD") and exits 0 once the device has the
// command; exits non-zero on any error or after 30 s.
//
// node mqttjs-roundtrip.cjs ws://127.0.0.1:8083/mqtt ORG TYPE ID DEVICE_TOKEN API_KEY API_TOKEN
// (MQTT.js is found through NODE_PATH, see install-mqtt-clients.sh)
const mqtt = require('mqtt');

const [url, org, type, id, deviceToken, apiKey, apiToken] = process.argv.slice(2);
const timer = setTimeout(() => fail('timed out after 30 s'), 30000);

function options(clientId, username, password) {
  return { clientId, username, password, protocolVersion: 4, clean: true, reconnectPeriod: 0 };
}

// Set once the device has its command. The broker closes a connection as soon as it reads its
// DISCONNECT (MQTT 3.1.1, 3.14.4); over WebSocket the client may still be writing its close frame
// then and reports "socket has been ended by the other party" — not a failure of the round trip.
let ending = false;

function fail(error) {
  if (ending) return;
  console.error(String(error));
  process.exit(1);
}

function subscribed(client, filter, then) {
  client.subscribe(filter, { qos: 1 }, (error, granted) => {
    if (error) fail(error);
    else if (granted[0].qos === 128) fail(`subscription to ${filter} refused`);
    else then();
  });
}

const app = mqtt.connect(url, options(`a:${org}:mqttjs-app`, apiKey, apiToken));
let device;
app.on('error', fail);
app.on('connect', () =>
  subscribed(app, 'iot-2/type/+/id/+/evt/+/fmt/+', () => {
    device = mqtt.connect(url, options(`d:${org}:${type}:${id}`, 'use-token-auth', deviceToken));
    device.on('error', fail);
    device.on('connect', () =>
      subscribed(device, 'iot-2/cmd/+/fmt/+', () =>
        device.publish('iot-2/evt/status/fmt/json', '{"d":{"temp":21}}', { qos: 1 })));
    device.on('message', (topic, payload) => {
      console.log(`device ${topic} ${payload}`);
      clearTimeout(timer);
      ending = true;
      device.end();
      app.end();
    });
  }));
app.on('message', (topic, payload) => {
  console.log(`app ${topic} ${payload}`);
  app.publish(`iot-2/type/${type}/id/${id}/cmd/reboot/fmt/json`, '{"d":{"delay":1}}', { qos: 1 });
});
