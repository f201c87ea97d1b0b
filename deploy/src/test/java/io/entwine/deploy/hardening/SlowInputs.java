package io.entwine.deploy.hardening;

import io.entwine.http.RawHttp;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Inputs that take the server's timeouts to judge, each on its own connection beside the campaign:
 * bodies and headers that stop coming (the client keeps the connection open and silent) and a body
 * far over every limit. The answer must be a 4xx or a close within {@link #LIMIT_MILLIS}, never a
 * 5xx or silence.
 */
final class SlowInputs {
  static final int COUNT = 5;
  private static final int LIMIT_MILLIS = 90_000;

  record Input(String category, byte[] bytes) {}

  private SlowInputs() {}

  static List<Input> inputs(HttpFuzz.Fixture f, Set<String> skipped) {
    String path = "/api/v0002/device/types/" + f.type() + "/devices/" + f.device() + "/events/slow";
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: "
            + f.org()
            + ".localhost\r\nAuthorization: Basic "
            + Base64.getEncoder()
                .encodeToString(
                    ("use-token-auth:" + f.deviceToken()).getBytes(StandardCharsets.UTF_8))
            + "\r\nContent-Type: application/json\r\n";
    byte[] huge = new byte[9 << 20];
    byte[] hugeHead =
        (head + "Content-Length: " + huge.length + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] hugeRequest = java.util.Arrays.copyOf(hugeHead, hugeHead.length + huge.length);
    return List.of(
            new Input("stall-body", bytes(head + "Content-Length: 100\r\n\r\n{\"d\":{\"t\":")),
            new Input(
                "stall-chunked", bytes(head + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"d\":")),
            new Input("stall-headers", bytes(head + "X-Slow: ")),
            new Input(
                "stall-expect", bytes(head + "Content-Length: 50\r\nExpect: 100-continue\r\n\r\n")),
            new Input("body-over-8mib", hugeRequest))
        .stream()
        .filter(input -> skipped.stream().noneMatch(input.category()::contains))
        .toList();
  }

  static void run(Input input, int port, FuzzTally tally) {
    try (RawHttp connection = new RawHttp(port, Duration.ofMillis(LIMIT_MILLIS)).resetOnClose()) {
      try {
        connection.write(input.bytes());
      } catch (IOException refusedEarly) {
        // answered and closed before the whole body was sent: read that answer
      }
      tally.answered("slow/" + input.category(), input.bytes(), connection.read(false));
    } catch (EOFException | SocketException closed) {
      tally.httpClosed();
    } catch (SocketTimeoutException hang) {
      tally.fail("hang", "slow/" + input.category(), input.bytes());
    } catch (IOException | RuntimeException unreadable) {
      tally.fail(
          "unreadable answer (" + unreadable.getMessage() + ")",
          "slow/" + input.category(),
          input.bytes());
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
