package io.entwine.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP/1.1 connection driven byte by byte, so that tests can send what no HTTP client would: a
 * request head in pieces, a false Content-Length, a broken chunk size, a body that stops.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;

  public RawHttp(int port, Duration readTimeout) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout((int) readTimeout.toMillis());
  }

  public RawHttp send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return this;
  }

  /** The response's status line, e.g. {@code HTTP/1.1 413 Payload Too Large}. */
  public String statusLine() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      line.write(b);
    }
    return line.toString(StandardCharsets.ISO_8859_1).strip();
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

  /** Everything the server still sends, up to the end of the connection. */
  public String rest() throws IOException {
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /**
   * True once the server has closed the connection (end of stream or reset), reading and dropping
   * whatever it sent before; false when it is still open after the read timeout.
   */
  public boolean closedByServer() throws IOException {
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      while (in.read(buffer) != -1) {
        // drop any response that came before the end
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
