package io.entwine.http.server;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Follows the framing of the requests on one connection, over the plain-text bytes on their way to
 * pekko-http's parser, to refuse what that parser accepts but its request model cannot hold: an
 * {@code HTTP/1.0} request with a {@code Transfer-Encoding} header. RFC 9112 section 6.1 says such
 * framing is faulty: answer 400 and close. pekko-http 1.3 instead parses the chunked body, then
 * fails building the request and answers 500 from a stage no handler can reach (ADR 0047).
 *
 * <p>The header line is replaced by {@code Transfer-Encoding: }{@value #MARKER} and the rest of the
 * connection's input is dropped: pekko's parser refuses that coding as it refuses any unknown one,
 * in order after the answers to earlier requests, and closes the connection; {@link
 * ClientErrorsAsBadRequest} names the real reason in the 400. Everything else passes unchanged (the
 * same {@code ByteString}s when nothing is held back).
 *
 * <p>To find each request head it follows Content-Length and chunked bodies as the parser does.
 * Where the two could disagree — a framing header it cannot read, a line longer than the parser
 * takes — it stops looking and passes the rest of the connection unchanged: the parser refuses such
 * input itself. A request asking for a WebSocket upgrade is one request like any other: the
 * connection stays HTTP until the routes answer it with a 101, and then the connection's stage
 * calls {@link #protocolSwitched()}. One instance per connection; not thread-safe.
 */
final class RequestFraming {
  /** The transfer coding that stands for the refused header in what pekko's parser reads. */
  static final String MARKER = "entwine-http-1.0-transfer-encoding";

  /** The 400's message, in place of pekko's "Unsupported Transfer-Encoding" for the marker. */
  static final String REFUSAL =
      "An HTTP/1.0 request must not have a Transfer-Encoding such as chunked; its framing cannot"
          + " be trusted (RFC 9112, section 6.1)";

  private static final ByteString MARKER_LINES =
      ByteString.fromString("Transfer-Encoding: " + MARKER + "\r\n\r\n", StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding:");
  private static final byte[] CONTENT_LENGTH = ascii("content-length:");
  private static final byte[] HTTP_10 = ascii(" HTTP/1.0");

  /** Longer than any line pekko-http's parser takes by default (8 KiB header values). */
  private static final int MAX_LINE = 16 * 1024;

  /** The start of each line kept to read it; framing headers longer than this end the checks. */
  private static final int KEPT = 128;

  private enum State {
    REQUEST_LINE,
    HEADER_LINE,
    BODY,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILER,
    /** Nothing more to check on this connection: every byte passes. */
    PASS,
    /** The refusal is on its way to the parser: every byte is dropped. */
    DISCARD
  }

  private State state = State.REQUEST_LINE;
  private final byte[] kept = new byte[KEPT];
  private final byte[] tail = new byte[HTTP_10.length + 1]; // and a CR
  private int lineLength;
  private long bodyLeft;

  // the request head being read
  private boolean http10;
  private boolean holding;
  private long contentLength;
  private boolean chunked;

  // the chunk being turned into output
  private ByteStringBuilder out;
  private int passFrom;

  /** The connection speaks another protocol now: every byte from here on passes unchanged. */
  void protocolSwitched() {
    if (state != State.DISCARD) {
      state = State.PASS;
    }
  }

  /** What to hand to pekko's parser for {@code input}: usually {@code input} itself. */
  ByteString next(ByteString input) {
    if (state == State.PASS) {
      return holding ? releaseHeld(input) : input;
    }
    if (state == State.DISCARD) {
      return ByteString.emptyByteString();
    }
    byte[] bytes = input.toArrayUnsafe();
    int length = input.length();
    out = null;
    passFrom = holding ? -1 : 0;
    int at = 0;
    while (at < length && state != State.PASS && state != State.DISCARD) {
      if (state == State.BODY || state == State.CHUNK_DATA) {
        int taken = (int) Math.min(bodyLeft, length - at);
        at += taken;
        bodyLeft -= taken;
        if (bodyLeft == 0) {
          state = state == State.BODY ? State.REQUEST_LINE : State.CHUNK_END;
        }
      } else {
        lineByte(bytes[at], input, at);
        at++;
      }
    }
    if (state == State.DISCARD || passFrom < 0) {
      return out == null ? ByteString.emptyByteString() : out.result();
    }
    if (out == null) {
      return input; // passFrom is 0: nothing held back or replaced
    }
    return out.append(input.slice(passFrom, length)).result();
  }

  private void lineByte(byte b, ByteString input, int at) {
    if (b == '\n') {
      if (holding) {
        release(at); // the line feed itself passes from the input
      }
      endOfLine();
      lineLength = 0;
      return;
    }
    if (lineLength == 0 && state == State.HEADER_LINE && http10) {
      hold(input, at);
    }
    if (lineLength < KEPT) {
      kept[lineLength] = b;
    }
    tail[lineLength % tail.length] = b;
    lineLength++;
    if (holding) {
      if (lower(b) != TRANSFER_ENCODING[lineLength - 1]) {
        release(at + 1);
      } else if (lineLength == TRANSFER_ENCODING.length) {
        refuse();
      }
    } else if (lineLength > MAX_LINE) {
      state = State.PASS; // the parser refuses a line this long
    }
  }

  /**
   * Holds back the header line that starts at {@code at}: in an HTTP/1.0 head it may be a
   * Transfer-Encoding. What came before it in this input goes on.
   */
  private void hold(ByteString input, int at) {
    output().append(input.slice(passFrom, at));
    passFrom = -1;
    holding = true;
  }

  /**
   * Not a Transfer-Encoding: the held start of the line (at most 18 bytes, possibly from earlier
   * inputs, all in {@code kept}) goes on, then this input from {@code resumeAt}.
   */
  private void release(int resumeAt) {
    output().putBytes(kept, 0, lineLength);
    passFrom = resumeAt;
    holding = false;
  }

  /** The line start held back when the protocol switched, then {@code input}. */
  private ByteString releaseHeld(ByteString input) {
    holding = false;
    return ByteString.fromArray(kept, 0, lineLength).concat(input);
  }

  private void refuse() {
    output().append(MARKER_LINES);
    holding = false;
    state = State.DISCARD;
  }

  private ByteStringBuilder output() {
    if (out == null) {
      out = new ByteStringBuilder();
    }
    return out;
  }

  private void endOfLine() {
    int length = lineLength > 0 && lastByte() == '\r' ? lineLength - 1 : lineLength;
    switch (state) {
      case REQUEST_LINE -> {
        if (length > 0) {
          http10 = endsWith(length, HTTP_10);
          contentLength = -1;
          chunked = false;
          state = State.HEADER_LINE;
        }
      }
      case HEADER_LINE -> header(length);
      case CHUNK_SIZE -> chunkSize(length);
      case CHUNK_END -> state = length == 0 ? State.CHUNK_SIZE : State.PASS;
      case TRAILER -> state = length == 0 ? State.REQUEST_LINE : State.TRAILER;
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void header(int length) {
    if (length == 0) {
      endOfHead();
    } else if (kept[0] == ' ' || kept[0] == '\t') {
      state = State.PASS; // a folded line may continue a framing header
    } else if (startsWith(CONTENT_LENGTH)) {
      long value = length <= KEPT ? digits(CONTENT_LENGTH.length, length) : -1;
      state = value < 0 || (contentLength >= 0 && value != contentLength) ? State.PASS : state;
      contentLength = value;
    } else if (startsWith(TRANSFER_ENCODING)) {
      boolean single = !chunked && length <= KEPT;
      chunked = true;
      if (!single || !valueIs(TRANSFER_ENCODING.length, length, "chunked")) {
        state = State.PASS; // the parser refuses any other coding, and two of them
      }
    }
  }

  private void endOfHead() {
    if (chunked) {
      state = contentLength >= 0 ? State.PASS : State.CHUNK_SIZE;
    } else if (contentLength > 0) {
      bodyLeft = contentLength;
      state = State.BODY;
    } else {
      state = State.REQUEST_LINE;
    }
  }

  private void chunkSize(int length) {
    long size = 0;
    int digits = 0;
    for (int i = 0; i < Math.min(length, KEPT) && kept[i] != ';'; i++) {
      int digit = Character.digit(kept[i], 16);
      if (digit < 0 || ++digits > 15) {
        state = State.PASS;
        return;
      }
      size = size * 16 + digit;
    }
    if (digits == 0 || length > KEPT) {
      state = State.PASS;
    } else if (size == 0) {
      state = State.TRAILER;
    } else {
      bodyLeft = size;
      state = State.CHUNK_DATA;
    }
  }

  private long digits(int from, int to) {
    long value = 0;
    int count = 0;
    for (int i = trimStart(from, to); i < trimEnd(from, to); i++) {
      if (kept[i] < '0' || kept[i] > '9' || ++count > 18) {
        return -1;
      }
      value = value * 10 + (kept[i] - '0');
    }
    return count == 0 ? -1 : value;
  }

  private boolean valueIs(int from, int to, String expected) {
    int start = trimStart(from, to);
    int end = trimEnd(from, to);
    return end - start == expected.length() && regionIs(start, expected);
  }

  private boolean regionIs(int start, String expected) {
    for (int i = 0; i < expected.length(); i++) {
      if (lower(kept[start + i]) != expected.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private int trimStart(int from, int to) {
    int i = from;
    while (i < to && (kept[i] == ' ' || kept[i] == '\t')) {
      i++;
    }
    return i;
  }

  private int trimEnd(int from, int to) {
    int i = to;
    while (i > from && (kept[i - 1] == ' ' || kept[i - 1] == '\t')) {
      i--;
    }
    return i;
  }

  private boolean startsWith(byte[] prefix) {
    if (lineLength < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (lower(kept[i]) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether the line's first {@code length} bytes end with {@code suffix}, from the tail ring. */
  private boolean endsWith(int length, byte[] suffix) {
    if (length < suffix.length) {
      return false;
    }
    for (int i = 0; i < suffix.length; i++) {
      int position = length - suffix.length + i;
      if (tail[position % tail.length] != suffix[i]) {
        return false;
      }
    }
    return true;
  }

  private byte lastByte() {
    return tail[(lineLength - 1) % tail.length];
  }

  private static byte lower(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
