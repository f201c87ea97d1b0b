package io.entwine.deploy.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * One client of the fuzz campaign sending {@link MqttFuzz} inputs, each on a connection of its own:
 * the input's valid CONNECT first when it has one (its CONNACK awaited), then the input, the end of
 * the client's output, and the node's answers until it closes. Nearly every malformed packet ends
 * an MQTT session (a first campaign with many inputs per session measured it), so a session holds
 * one input.
 */
final class MqttLane extends FuzzClient {
  private static final int READ_TIMEOUT_MILLIS = 15_000;

  private final MqttFuzz generator;

  MqttLane(MqttFuzz generator, int port, FuzzTally tally, BooleanSupplier more) {
    super(port, tally, more);
    this.generator = generator;
  }

  @Override
  public void run() {
    while (more()) {
      send(generator.next());
    }
  }

  private void send(MqttFuzz.Input input) {
    byte[] all = input.connect() == null ? input.bytes() : concat(input.connect(), input.bytes());
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.setSoLinger(true, 0);
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      tally.spent("MQTT TCP connect", start);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      tally.connected(false);
      InputStream in = socket.getInputStream();
      try {
        if (input.connect() != null) {
          long connect = System.nanoTime();
          socket.getOutputStream().write(input.connect());
          byte[] connack = in.readNBytes(4);
          tally.spent("MQTT CONNACK wait", connect);
          if (connack.length == 4 && connack[0] == 0x20 && connack[3] == 0) {
            tally.mqttConnected();
          }
        }
        socket.getOutputStream().write(input.bytes());
        socket.shutdownOutput();
      } catch (SocketException closedEarly) {
        // the node closed the connection before taking every byte: that is an answer
      }
      long answers = System.nanoTime();
      while (in.read(new byte[4096]) >= 0) {
        // the node's answers (CONNACK, PUBACK, SUBACK…) are read until it closes
      }
      tally.spent("MQTT answers until close", answers);
      tally.mqtt(true);
    } catch (SocketTimeoutException hang) {
      tally.mqtt(false);
      tally.fail("MQTT hang", input.category(), all);
    } catch (SocketException reset) {
      tally.mqtt(true);
    } catch (IOException e) {
      throw new AssertionError("cannot reach the MQTT port", e);
    }
    tally.spent("MQTT input in all", start);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
