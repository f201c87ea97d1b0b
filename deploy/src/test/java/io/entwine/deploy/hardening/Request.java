package io.entwine.deploy.hardening;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** A request under construction; mutations change its parts before it becomes bytes. */
final class Request {
  final String endpoint;
  String method;
  String target;
  String version = "HTTP/1.1";
  String lineEnd = "\r\n";
  final List<String> headers = new ArrayList<>();
  byte[] body;

  /** Null: Content-Length from the body; else this header line (or "" for none). */
  String framing;

  byte[] trailingBytes = new byte[0];
  HttpFuzz.Lane lane = HttpFuzz.Lane.PIPELINED;

  Request(String endpoint, String method, String target) {
    this.endpoint = endpoint;
    this.method = method;
    this.target = target;
  }

  Request header(String name, String value) {
    headers.add(name + ": " + value);
    return this;
  }

  Request host(String host) {
    return header("Host", host);
  }

  Request basic(String user, String password) {
    return header(
        "Authorization",
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }

  Request json(String json) {
    header("Content-Type", "application/json");
    body = json.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  String hostHeader() {
    return headers.stream()
        .filter(h -> h.toLowerCase(Locale.ROOT).startsWith("host:"))
        .map(h -> h.substring(5).trim())
        .findFirst()
        .orElse("");
  }

  void removeHeader(String name) {
    headers.removeIf(
        h -> h.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":"));
  }

  void alone() {
    if (lane == HttpFuzz.Lane.PIPELINED) {
      lane = HttpFuzz.Lane.ALONE;
    }
  }

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target);
    if (!version.isEmpty()) {
      head.append(' ').append(version);
    }
    head.append(lineEnd);
    for (String header : headers) {
      head.append(header).append(lineEnd);
    }
    if (framing == null) {
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append(lineEnd);
      }
    } else if (!framing.isEmpty()) {
      head.append(framing).append(lineEnd);
    }
    head.append(lineEnd);
    out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.writeBytes(body);
    }
    out.writeBytes(trailingBytes);
    return out.toByteArray();
  }
}
