package io.entwine.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One blocking HTTP/1.1 connection driven byte by byte, so that tests can send what no HTTP client
 * would (a request head in pieces, a false Content-Length, a broken chunk size, a body that stops,
 * fuzzed bytes) and read the answers one at a time: a status line, or a whole response framed by
 * Content-Length, chunked encoding or the end of the connection. Shared with the whole-node tests
 * of the deploy module (test-jar).
 */
public final class RawHttp implements AutoCloseable {
  private static final int MAX_LINE = 64 * 1024;

  /**
   * One response; {@code close} when the server said it closes the connection after it; {@code
   * text} the start of the body of a 5xx (what the failure was), else empty.
   */
  public record Response(int status, boolean close, String text) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private boolean closed;

  /** A connection to {@code port} on the loopback address. */
  public RawHttp(int port, Duration readTimeout) throws IOException {
    this(port, null, readTimeout);
  }

  /** A connection from the local address {@code from} (any when null) to {@code port}. */
  public RawHttp(int port, InetAddress from, Duration readTimeout) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    if (from != null) {
      socket.bind(new InetSocketAddress(from, 0));
    }
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    socket.setSoTimeout((int) readTimeout.toMillis());
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
  }

  /** Closes with a reset, not TIME_WAIT: for tests that open tens of thousands of connections. */
  public RawHttp resetOnClose() throws IOException {
    socket.setSoLinger(true, 0);
    return this;
  }

  public RawHttp send(String text) throws IOException {
    write(text.getBytes(StandardCharsets.ISO_8859_1));
    return this;
  }

  public void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void readTimeout(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
  }

  /** Tells the server no more bytes come (end of stream), keeping the reading side open. */
  public void endOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** The next line the server sent, e.g. {@code HTTP/1.1 413 Payload Too Large}; "" at the end. */
  public String statusLine() throws IOException {
    String line = line();
    return line == null ? "" : line.strip();
  }

  /** The status code of the next response; -1 when the server closed the connection instead. */
  public int status() throws IOException {
    String line = statusLine();
    return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : -1;
  }

  /** Reads the header lines of a response up to the empty line that ends them. */
  public void skipHeaders() throws IOException {
    while (!statusLine().isEmpty()) {
      // dropped
    }
  }

  /** The next {@code length} bytes the server sends (a WebSocket frame). */
  public byte[] readBytes(int length) throws IOException {
    return in.readNBytes(length);
  }

  /** Everything the server still sends, up to the end of the connection. */
  public String rest() throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /**
   * True once the server has closed the connection (end of stream or reset), reading and dropping
   * whatever it sent before; false when it is still open after the read timeout.
   */
  public boolean closedByServer() throws IOException {
    try {
      byte[] buffer = new byte[4096];
      while (in.read(buffer) != -1) {
        // drop any response that came before the end
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      closed = true;
    }
    return closed;
  }

  /** Whether {@link #closedByServer()} has seen the server close the connection. */
  public boolean closed() {
    return closed;
  }

  /**
   * Reads the next final response (1xx are skipped). Throws {@link EOFException} when the server
   * closed the connection before a status line, {@link SocketTimeoutException} when it sent nothing
   * for the read timeout.
   */
  public Response read(boolean head) throws IOException {
    while (true) {
      String statusLine = line();
      if (statusLine == null) {
        throw new EOFException("closed before a response");
      }
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
        throw new IOException("not a status line: " + statusLine);
      }
      int status = Integer.parseInt(statusLine.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      boolean close = statusLine.startsWith("HTTP/1.0");
      for (String header = line(); header != null && !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("connection:")) {
          close = lower.contains("close") || (close && !lower.contains("keep-alive"));
        }
      }
      if (status < 200) {
        continue;
      }
      if (head || status == 204 || status == 304) {
        return new Response(status, close, "");
      }
      body.reset();
      if (chunked) {
        skipChunks();
      } else if (length >= 0) {
        skip(length);
      } else {
        skip(Long.MAX_VALUE);
        close = true;
      }
      return new Response(
          status, close, status >= 500 ? body.toString(StandardCharsets.UTF_8) : "");
    }
  }

  private void skipChunks() throws IOException {
    while (true) {
      String size = line();
      if (size == null) {
        throw new EOFException("closed inside a chunked body");
      }
      int semicolon = size.indexOf(';');
      long length =
          Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      if (length == 0) {
        for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
          // trailers are ignored
        }
        return;
      }
      skip(length);
      line();
    }
  }

  private void skip(long length) throws IOException {
    byte[] buffer = new byte[8192];
    long left = length;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        if (length == Long.MAX_VALUE) {
          return;
        }
        throw new EOFException("closed inside a body");
      }
      body.write(buffer, 0, Math.min(read, Math.max(0, 300 - body.size())));
      left -= read;
    }
  }

  /** The next line without its CR LF; what came before the end if it ended; null when nothing. */
  private String line() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      if (bytes.size() > MAX_LINE) {
        throw new IOException("response line over " + MAX_LINE + " bytes");
      }
      bytes.write(b);
    }
    return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a socket that failed already
    }
  }
}
