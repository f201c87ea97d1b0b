package io.entwine.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestFraming} finds every request head behind Content-Length and chunked bodies, however
 * the bytes are cut into reads, and changes only an HTTP/1.0 head with a Transfer-Encoding.
 */
class RequestFramingTest {
  private static final String REFUSED_LINES =
      "Transfer-Encoding: " + RequestFraming.MARKER + "\r\n\r\n";

  private static final String KEEP_ALIVE_MIX =
      "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 52\r\n\r\n"
          // a body that looks like a refused head must pass untouched
          + "GET /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
          + "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "1c;ext=1\r\nGET / HTTP/1.0\r\nTransfer-Enc\r\n"
          + "0\r\nX-Trailer: t\r\n\r\n"
          + "GET /c HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encodinx: y\r\n\r\n"
          + "POST /d HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc";

  @Test
  void passesKeepAliveAndPipelinedRequestsUnchangedWhereverTheReadsEnd() {
    // and still finds the head after them: it followed every body
    String refused = "GET /z HTTP/1.0\r\n";
    String input = KEEP_ALIVE_MIX + refused + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    for (int cut = 1; cut <= 7; cut++) {
      assertEquals(
          KEEP_ALIVE_MIX + refused + REFUSED_LINES, through(input, cut), "reads of " + cut);
    }
    // only the header lines of HTTP/1.0 heads are held back and copied
    ByteString http11 =
        ByteString.fromString(KEEP_ALIVE_MIX.substring(0, KEEP_ALIVE_MIX.indexOf("GET /c")));
    assertSame(http11, new RequestFraming().next(http11), "HTTP/1.1 requests are not copied");
  }

  @Test
  void replacesTheTransferEncodingOfAnHttp10RequestAndDropsTheRest() {
    String before = "GET /ok HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}";
    String head = "POST /events HTTP/1.0\r\nHost: h\r\nContent-Type: application/json\r\n";
    for (String framing : List.of("Transfer-Encoding: chunked", "transfer-encoding:gzip")) {
      String input = before + head + framing + "\r\n\r\n2\r\n{}\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
      for (int cut = 1; cut <= 5; cut++) {
        assertEquals(before + head + REFUSED_LINES, through(input, cut), framing + ", cut " + cut);
      }
    }
  }

  @Test
  void stopsCheckingWhereItCannotFollowTheParser() {
    List<String> unfollowable =
        List.of(
            "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "POST / HTTP/1.1\r\nX-A: a\r\n folded\r\nContent-Length: 1\r\n\r\n");
    String refusedIfChecked = "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (String head : unfollowable) {
      assertEquals(head + refusedIfChecked, through(head + refusedIfChecked, 3), head);
    }
  }

  /** Until the routes answer it with a 101, a WebSocket upgrade leaves the connection HTTP. */
  @Test
  void checksRequestsAfterAnUpgradeRequest() {
    String upgrade = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n";
    String refused = "GET / HTTP/1.0\r\n";
    assertEquals(
        upgrade + refused + REFUSED_LINES,
        through(upgrade + refused + "Transfer-Encoding: chunked\r\n\r\n", 3));
  }

  @Test
  void passesEverythingOnceTheProtocolSwitched() {
    RequestFraming framing = new RequestFraming();
    String head = "GET / HTTP/1.0\r\nTransfer-Enc";
    // the start of a line that may be a Transfer-Encoding is held back...
    assertEquals("GET / HTTP/1.0\r\n", text(framing.next(ByteString.fromString(head))));
    framing.protocolSwitched();
    // ...and goes on first once the bytes are another protocol's
    String frames = "oding: chunked\r\n\r\n";
    assertEquals("Transfer-Enc" + frames, text(framing.next(ByteString.fromString(frames))));
    ByteString more = ByteString.fromString("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n");
    assertSame(more, framing.next(more));
  }

  private static String text(ByteString bytes) {
    return bytes.decodeString(StandardCharsets.ISO_8859_1);
  }

  private static String through(String input, int readSize) {
    RequestFraming framing = new RequestFraming();
    StringBuilder passed = new StringBuilder();
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    for (int at = 0; at < bytes.length; at += readSize) {
      ByteString read = ByteString.fromArray(bytes, at, Math.min(readSize, bytes.length - at));
      passed.append(framing.next(read).decodeString(StandardCharsets.ISO_8859_1));
    }
    return passed.toString();
  }
}
