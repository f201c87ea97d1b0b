package io.entwine.deploy.hardening;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A blocking HTTP/1.1 connection that writes bytes exactly as given (the JDK client refuses most
 * malformed requests) and reads responses one at a time: status, headers, and a body framed by
 * Content-Length, chunked encoding, or the end of the connection.
 */
final class RawHttp implements AutoCloseable {
  private static final int MAX_LINE = 64 * 1024;

  /**
   * One response; {@code close} when the server said it closes the connection after it; {@code
   * text} the start of the body of a 5xx (what the failure was), else empty.
   */
  record Response(int status, boolean close, String text) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();

  RawHttp(int port, int readTimeoutMillis) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSoLinger(true, 0); // a reset, not TIME_WAIT: tens of thousands of short connections
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(readTimeoutMillis);
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void timeout(int readTimeoutMillis) throws IOException {
    socket.setSoTimeout(readTimeoutMillis);
  }

  /** Tells the server no more bytes come (end of stream), keeping the reading side open. */
  void endOutput() throws IOException {
    socket.shutdownOutput();
  }

  /**
   * Reads the next final response (1xx are skipped). Throws {@link EOFException} when the server
   * closed the connection before a status line, {@link java.net.SocketTimeoutException} when it
   * sent nothing for the read timeout.
   */
  Response read(boolean head) throws IOException {
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

  /** Reads until the server closes the connection; false if it sent nothing for the timeout. */
  boolean drainToEnd() throws IOException {
    byte[] buffer = new byte[8192];
    try {
      while (in.read(buffer) >= 0) {
        // discard
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
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
