package io.entwine.deploy.hardening;

import io.entwine.http.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One client of the fuzz campaign sending {@link HttpFuzz} inputs over keep-alive connections:
 * requests with intact framing pipelined up to {@link #DEPTH} deep, and a request that breaks
 * framing always last in its batch, so that whatever it does to the connection (a close, a wait for
 * bytes that never come) costs no other input. The connection goes on after any answer that does
 * not close it; a new one is opened only when the node closed it or the client ended its output.
 * Opening connections is most of what malformed input costs the node, so few are opened.
 */
final class HttpLane extends FuzzClient {
  static final int DEPTH = 16;

  /**
   * How long the client waits for the answer to an input that broke framing before it ends its
   * output: such an input may leave the node waiting for bytes that never come, and the node must
   * then answer or close. The answers before it came already, so the node is not behind; ending
   * early costs only the connection's reuse.
   */
  private static final Duration FRAMING_WAIT = Duration.ofMillis(300);

  private static final Duration ANSWER_WAIT = Duration.ofSeconds(30);

  private final HttpFuzz generator;
  private RawHttp connection;

  HttpLane(HttpFuzz generator, int port, FuzzTally tally, BooleanSupplier more) {
    super(port, tally, more);
    this.generator = generator;
  }

  @Override
  public void run() {
    List<HttpFuzz.Input> batch = new ArrayList<>();
    try {
      while (more()) {
        batch.clear();
        HttpFuzz.Input input;
        do {
          input = generator.next();
          batch.add(input);
        } while (input.lane() == HttpFuzz.Lane.PIPELINED && batch.size() < DEPTH);
        exchange(batch);
      }
    } finally {
      close();
    }
  }

  /** Writes the batch at once, then reads the answers in order. */
  private void exchange(List<HttpFuzz.Input> batch) {
    long start = System.nanoTime();
    try {
      exchangeTimed(batch);
    } finally {
      tally.spent("HTTP batch in all", start);
    }
  }

  private void exchangeTimed(List<HttpFuzz.Input> batch) {
    HttpFuzz.Input last = batch.get(batch.size() - 1);
    boolean framingBroken = last.lane() != HttpFuzz.Lane.PIPELINED;
    send(concat(batch));
    try {
      if (last.lane() == HttpFuzz.Lane.TRUNCATED) {
        connection.endOutput();
      }
      for (int i = 0; i < batch.size(); i++) {
        HttpFuzz.Input input = batch.get(i);
        RawHttp.Response response =
            framingBroken && i == batch.size() - 1 ? answerOrEnd(input) : answer(input);
        if (response != null) {
          tally.answered(input.category(), input.bytes(), response);
        }
        if (response == null || response.close() || connection == null) {
          tally.dropped(batch.size() - i - 1);
          close();
          return;
        }
      }
      if (last.lane() == HttpFuzz.Lane.TRUNCATED) {
        close();
      }
    } catch (IOException e) {
      close();
    }
  }

  /**
   * Writes on the open connection, or on a new one when the node closed it meanwhile (an idle
   * connection, at its request-header timeout). A write cut short on a new connection means the
   * node answered and closed before reading everything (a 413 for a huge body): that answer is
   * read.
   */
  private void send(byte[] bytes) {
    boolean reused = connection != null;
    if (!reused) {
      open();
    }
    try {
      connection.write(bytes);
    } catch (IOException cutShort) {
      if (reused) {
        close();
        open();
        try {
          connection.write(bytes);
        } catch (IOException cutShortAgain) {
          // answered early: read it
        }
      }
    }
  }

  /** The answer, or null when the node closed the connection (counted) or failed (reported). */
  private RawHttp.Response answer(HttpFuzz.Input input) throws IOException {
    try {
      return connection.read(input.head());
    } catch (EOFException | SocketException closed) {
      tally.httpClosed();
    } catch (SocketTimeoutException hang) {
      tally.fail("hang", input.category(), input.bytes());
    } catch (IOException | RuntimeException unreadable) {
      tally.fail(
          "unreadable answer (" + unreadable.getMessage() + ")", input.category(), input.bytes());
    }
    return null;
  }

  /**
   * The answer to an input that broke framing, ending the client's output after {@link
   * #FRAMING_WAIT} without one (a stalled peer is {@link SlowInputs}' part).
   */
  private RawHttp.Response answerOrEnd(HttpFuzz.Input input) throws IOException {
    connection.readTimeout(FRAMING_WAIT);
    long start = System.nanoTime();
    try {
      return connection.read(input.head());
    } catch (SocketTimeoutException waiting) {
      tally.spent("HTTP framing wait expired", start);
      long after = System.nanoTime();
      if (input.lane() != HttpFuzz.Lane.TRUNCATED) {
        connection.endOutput(); // a truncated input's client ended it already
      }
      connection.readTimeout(ANSWER_WAIT);
      RawHttp.Response response = answer(input);
      tally.spent("HTTP answer after the output ended", after);
      close(); // its output ended: this connection takes no more input
      return response;
    } catch (EOFException | SocketException closed) {
      tally.httpClosed();
      return null;
    } catch (IOException | RuntimeException unreadable) {
      tally.fail(
          "unreadable answer (" + unreadable.getMessage() + ")", input.category(), input.bytes());
      return null;
    } finally {
      if (connection != null) {
        connection.readTimeout(ANSWER_WAIT);
      }
    }
  }

  private void open() {
    long start = System.nanoTime();
    try {
      connection = new RawHttp(port, ANSWER_WAIT).resetOnClose();
      tally.spent("HTTP TCP connect", start);
    } catch (IOException e) {
      throw new AssertionError("cannot connect to the HTTP port", e);
    }
    tally.connected(true);
  }

  private void close() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }

  private static byte[] concat(List<HttpFuzz.Input> inputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    inputs.forEach(input -> out.writeBytes(input.bytes()));
    return out.toByteArray();
  }
}
