package io.entwine.deploy.hardening;

import io.entwine.deploy.hardening.HttpFuzz.Lane;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The ways {@link HttpFuzz} breaks a request, each named (the name goes into the input's category).
 * Those that break HTTP/1.1 framing move the request to a connection of its own. Long because it is
 * one catalogue: every mutation with its values, in one place to read and extend.
 */
final class HttpMutations {
  private static final String TOKEN_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
  private static final String PATH_JUNK_CHARS = TOKEN_CHARS + "%!$&'()*+,;=:@~\u00e9\u00ff";

  private record Mutation(String name, int weight, BiFunction<Request, Random, Request> apply) {}

  private static final List<Mutation> MUTATIONS =
      List.of(
          // request target (framing intact)
          m(
              "path-percent",
              6,
              (r, x) ->
                  path(
                      r,
                      x,
                      pick(
                          x,
                          "%",
                          "%z",
                          "%zz",
                          "%00",
                          "%C0%AF",
                          "%ED%A0%80",
                          "%FF%FE",
                          "%2F",
                          "%25",
                          "%u0041",
                          "%E2%82"))),
          m("path-segment", 6, (r, x) -> replaceSegment(r, x)),
          m("path-long", 2, (r, x) -> path(r, x, "a".repeat(100 + x.nextInt(1_800)))),
          m("path-dots", 3, (r, x) -> path(r, x, pick(x, "..", "/", ".", "../..", "%2e%2e"))),
          m(
              "query-junk",
              5,
              (r, x) -> {
                r.target +=
                    (r.target.contains("?") ? "&" : "?")
                        + pick(
                            x,
                            "a",
                            "=",
                            "&&",
                            "a=%",
                            "a=%zz",
                            "top=1&top=2",
                            "x=" + token(x, 50),
                            "hono-ttd=" + pick(x, "x", "-1", "99999999999999999999", "1.5"));
                return r;
              }),
          m(
              "method-other",
              4,
              (r, x) -> {
                r.method = pick(x, "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");
                return r;
              }),
          // headers (framing intact)
          m("host-none-org", 3, (r, x) -> host(r, pick(x, "localhost", "127.0.0.1", "[::1]"))),
          m("host-case", 3, (r, x) -> host(r, r.hostHeader().toUpperCase(java.util.Locale.ROOT))),
          m(
              "host-other-org",
              3,
              (r, x) -> host(r, pick(x, "nosuch", "a.b.c", "-", "x_y") + ".localhost")),
          m("host-long", 1, (r, x) -> host(r, token(x, 200) + ".localhost")),
          m(
              "auth-none",
              5,
              (r, x) -> {
                r.removeHeader("Authorization");
                return r;
              }),
          m(
              "auth-malformed",
              6,
              (r, x) ->
                  auth(
                      r,
                      pick(
                          x,
                          "Basic",
                          "Basic ",
                          "Basic !!!!",
                          "Basic " + b64("nocolon"),
                          "Basic " + b64(":"),
                          "Basic " + b64(":pw"),
                          "Basic " + b64("use-token-auth:"),
                          "Bearer",
                          "Bearer " + token(x, 30),
                          "Digest a=b",
                          "basic " + b64("a:b"),
                          "Basic " + b64("\u00ff\u0000:\u0001"),
                          "Basic " + token(x, 300)))),
          m("auth-wrong-kind", 2, (r, x) -> auth(r, "Basic " + b64("a-" + token(x, 12) + ":x"))),
          m(
              "ctype",
              6,
              (r, x) -> {
                r.removeHeader("Content-Type");
                String type =
                    pick(
                        x,
                        "",
                        "application/json; charset=utf-16",
                        "application/json;charset=",
                        "text/plain",
                        "application/octet-stream",
                        "application/x-www-form-urlencoded",
                        "multipart/form-data",
                        "a/b/c",
                        "*/*",
                        "application/json; charset=\"",
                        "application/json; x=" + token(x, 500),
                        "application/html",
                        "text/xml");
                return type.isEmpty() ? r : r.header("Content-Type", type);
              }),
          m(
              "ctype-semicolons",
              1,
              (r, x) -> {
                r.removeHeader("Content-Type");
                return r.header("Content-Type", pick(x, ";;;", ";", "; ;"));
              }),
          m(
              "header-junk",
              4,
              (r, x) -> {
                for (int i = x.nextInt(20); i >= 0; i--) {
                  r.header(
                      "X-" + token(x, 1 + x.nextInt(20)), token(x, x.nextInt(60)) + "\u00e9\u00ff");
                }
                return r;
              }),
          m(
              "header-known",
              4,
              (r, x) ->
                  r.header(
                      pick(
                          x,
                          "Accept",
                          "Accept-Charset",
                          "Accept-Encoding",
                          "Cookie",
                          "Expect",
                          "Range",
                          "If-Modified-Since",
                          "Origin",
                          "Upgrade",
                          "Connection",
                          "TE",
                          "Forwarded",
                          "X-Forwarded-For",
                          "qos-level",
                          "hono-ttd",
                          "X-TC-Timestamp",
                          "X-TC-Nonce",
                          "X-TC-Algorithm",
                          "X-TC-Signature",
                          "Sec-WebSocket-Key"),
                      pick(
                          x,
                          "",
                          "*",
                          ",,,",
                          "junk",
                          "100-continue",
                          "bytes=5-1",
                          "-1",
                          "h2c",
                          "keep-alive, upgrade",
                          "99999999999999999999",
                          "\u00ff\u00fe"))),
          // body (framing intact: Content-Length follows the body)
          m(
              "body-json",
              8,
              (r, x) ->
                  body(
                      r,
                      x,
                      pick(
                          x,
                          "{",
                          "{\"d\":",
                          "[1,2",
                          "{\"a\":1}}",
                          "nul",
                          "{\"d\":{\"t\":1e999999999}}",
                          "{\"d\":\"\\uD800\"}",
                          "\"str\"",
                          "123",
                          "{\"d\":{\"t\":1},\"d\":[]}",
                          "{\"type\":123,\"id\":[],\"metadata\":\"m\"}",
                          "{\"d\":null,\"ts\":1}",
                          "{\"x\":\"\\u0000\"}",
                          "{'single':1}",
                          "[]",
                          "",
                          "{\"d\":{\"t\":-0.0e-99999}}",
                          "{\"d\":" + "1".repeat(5_000) + "}"))),
          m(
              "body-deep",
              2,
              (r, x) -> {
                int depth = 500 + x.nextInt(20_000);
                return body(r, x, "[".repeat(depth) + "]".repeat(x.nextBoolean() ? depth : 1));
              }),
          m(
              "body-bytes",
              5,
              (r, x) -> {
                byte[] bytes = new byte[x.nextInt(300)];
                x.nextBytes(bytes);
                r.body = bytes;
                return r;
              }),
          m(
              "body-utf8-invalid",
              3,
              (r, x) -> {
                r.body =
                    concat(
                        pick(x, "{\"d\":\"", "\"").getBytes(StandardCharsets.UTF_8),
                        pickBytes(
                            x,
                            new byte[] {(byte) 0xC0, (byte) 0x80},
                            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                            new byte[] {(byte) 0xFF},
                            new byte[] {(byte) 0xE2}),
                        "\"}".getBytes(StandardCharsets.UTF_8));
                return r;
              }),
          m(
              "body-bom",
              1,
              (r, x) -> {
                r.body = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bodyOf(r));
                return r;
              }),
          m(
              "body-utf16",
              1,
              (r, x) -> {
                r.body =
                    new String(bodyOf(r), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16);
                return r;
              }),
          m(
              "body-long-string",
              1,
              (r, x) -> body(r, x, "{\"d\":{\"s\":\"" + "x".repeat(x.nextInt(140_000)) + "\"}}")),
          // framing: a connection of its own
          m(
              "line-method",
              2,
              (r, x) ->
                  alone(
                      r,
                      () ->
                          r.method =
                              pick(
                                  x,
                                  "",
                                  "G(ET",
                                  "GE T",
                                  "get",
                                  "FOO",
                                  "M".repeat(100),
                                  "PRI",
                                  "\u00ffGET",
                                  "CONNECT"))),
          m(
              "line-version",
              2,
              (r, x) ->
                  alone(
                      r,
                      () ->
                          r.version =
                              pick(
                                  x,
                                  "HTTP/1.2",
                                  "HTTP/2.0",
                                  "HTTP/0.9",
                                  "HTTPS/1.1",
                                  "",
                                  "HTTP/1.1 x",
                                  "http/1.1",
                                  "HTTP/1.0"))),
          m(
              "line-target",
              3,
              (r, x) ->
                  alone(
                      r,
                      () ->
                          r.target =
                              pick(
                                  x,
                                  "*",
                                  "",
                                  "http://evil.example" + r.target,
                                  "//" + r.target,
                                  r.target + " " + r.target,
                                  r.target + "\u00e9\u0001",
                                  r.target + "/" + "b".repeat(2_100 + x.nextInt(10_000)),
                                  "relative/path",
                                  r.target + "#frag",
                                  "%2F" + r.target))),
          m("line-ends", 1, (r, x) -> alone(r, () -> r.lineEnd = pick(x, "\n", "\r", "\r\r\n"))),
          m(
              "header-syntax",
              3,
              (r, x) ->
                  alone(
                      r,
                      () ->
                          r.headers.add(
                              pick(
                                  x,
                                  "NoColon",
                                  "Bad Name: x",
                                  ": novalue",
                                  " folded: x",
                                  "X-A: a\r\n b",
                                  "X-Nul: a\u0000b",
                                  "X-Long: " + "v".repeat(8_000 + x.nextInt(10_000)),
                                  "X-" + "n".repeat(300) + ": v",
                                  "Host: second.localhost",
                                  "Authorization: Basic " + b64("a:b"),
                                  "Content-Type: text/plain")))),
          m(
              "header-many",
              1,
              (r, x) ->
                  alone(
                      r,
                      () -> {
                        for (int i = 0; i < 60 + x.nextInt(100); i++) {
                          r.headers.add("X-H" + i + ": v");
                        }
                      })),
          m("host-none", 2, (r, x) -> alone(r, () -> r.removeHeader("Host"))),
          m(
              "host-syntax",
              2,
              (r, x) ->
                  alone(
                      r,
                      () ->
                          host(
                              r,
                              pick(
                                  x,
                                  "",
                                  "a:b:c",
                                  "org.localhost:99999999",
                                  "org.localhost:x",
                                  "a b",
                                  "\u00e9.localhost",
                                  "[::1",
                                  "user@host")))),
          m(
              "length-bad",
              3,
              (r, x) ->
                  alone(
                      r,
                      () ->
                          r.framing =
                              pick(
                                  x,
                                  "Content-Length: -1",
                                  "Content-Length: x",
                                  "Content-Length: 1.5",
                                  "Content-Length: 0x10",
                                  "Content-Length: 5\r\nContent-Length: 6",
                                  "Content-Length: +5",
                                  "Content-Length: " + (bodyOf(r).length - 1),
                                  "Content-Length:  ",
                                  "Content-Length: 0",
                                  "Content-Length: 5, 5"))),
          m(
              "length-huge",
              1,
              (r, x) ->
                  alone(
                      r,
                      () ->
                          r.framing =
                              pick(
                                  x,
                                  "Content-Length: 99999999999999999999",
                                  "Content-Length: 9223372036854775807",
                                  "Content-Length: 10737418240",
                                  "Content-Length: 2147483648"))),
          m(
              "length-short",
              2,
              (r, x) -> {
                r.lane = Lane.TRUNCATED;
                r.framing = "Content-Length: " + (bodyOf(r).length + 1 + x.nextInt(1_000));
                return r;
              }),
          m(
              "chunked",
              3,
              (r, x) ->
                  alone(
                      r,
                      () -> {
                        r.framing =
                            pick(
                                x,
                                "Transfer-Encoding: chunked",
                                "Transfer-Encoding: chunked\r\nContent-Length: 3",
                                "Transfer-Encoding: gzip, chunked",
                                "Transfer-Encoding: chunked, chunked");
                        byte[] b = bodyOf(r);
                        r.body =
                            concat(
                                (Integer.toHexString(b.length) + "\r\n")
                                    .getBytes(StandardCharsets.UTF_8),
                                b,
                                "\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                      })),
          m(
              "chunk-size-bad",
              1,
              (r, x) ->
                  alone(
                      r,
                      () -> {
                        r.framing = "Transfer-Encoding: chunked";
                        r.body =
                            pick(
                                    x,
                                    "zz\r\nabc\r\n0\r\n\r\n",
                                    "-1\r\n\r\n",
                                    "fffffffffffffffff\r\nx\r\n",
                                    "5;;;=\r\nabcde\r\n0\r\n\r\n",
                                    "3\r\nabcdef\r\n0\r\n\r\n",
                                    "0x5\r\nabcde\r\n0\r\n\r\n",
                                    "7fffffffffffffff\r\nabc")
                                .getBytes(StandardCharsets.ISO_8859_1);
                      })),
          m(
              "chunked-cut",
              1,
              (r, x) -> {
                r.lane = Lane.TRUNCATED;
                r.framing = "Transfer-Encoding: chunked";
                r.body = "10\r\nabc".getBytes(StandardCharsets.UTF_8);
                return r;
              }),
          m(
              "transfer-unknown",
              1,
              (r, x) ->
                  alone(
                      r,
                      () ->
                          r.framing =
                              pick(
                                  x,
                                  "Transfer-Encoding: gzip",
                                  "Transfer-Encoding: x",
                                  "Transfer-Encoding: "))),
          m(
              "trailing-garbage",
              2,
              (r, x) ->
                  alone(
                      r,
                      () -> {
                        r.trailingBytes = new byte[1 + x.nextInt(200)];
                        x.nextBytes(r.trailingBytes);
                      })),
          m(
              "body-oversize",
              1,
              (r, x) -> alone(r, () -> r.body = new byte[(1 << 20) + 1 + x.nextInt(1 << 20)])));

  private static final int TOTAL_WEIGHT = MUTATIONS.stream().mapToInt(Mutation::weight).sum();

  private HttpMutations() {}

  /** Framing mutations go last, so they frame the final body (a chunked body stays chunked). */
  private static final Set<String> FRAMING =
      Set.of(
          "length-bad",
          "length-huge",
          "length-short",
          "chunked",
          "chunk-size-bad",
          "chunked-cut",
          "transfer-unknown",
          "trailing-garbage");

  /** Applies {@code count} mutations chosen by weight, framing last; returns their names. */
  static List<String> apply(Request request, Random random, int count) {
    List<Mutation> chosen = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      chosen.add(pick(random));
    }
    chosen.sort(Comparator.comparing(mutation -> FRAMING.contains(mutation.name)));
    List<String> names = new ArrayList<>();
    for (Mutation mutation : chosen) {
      mutation.apply.apply(request, random);
      names.add(mutation.name);
    }
    return names;
  }

  private static Mutation pick(Random random) {
    int ticket = random.nextInt(TOTAL_WEIGHT);
    for (Mutation mutation : MUTATIONS) {
      ticket -= mutation.weight;
      if (ticket < 0) {
        return mutation;
      }
    }
    throw new IllegalStateException("weights");
  }

  static String token(Random random, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(TOKEN_CHARS.charAt(random.nextInt(TOKEN_CHARS.length())));
    }
    return out.toString();
  }

  private static Mutation m(String name, int weight, BiFunction<Request, Random, Request> apply) {
    return new Mutation(name, weight, apply);
  }

  private static Request alone(Request r, Runnable change) {
    change.run();
    r.alone();
    return r;
  }

  private static Request path(Request r, Random x, String insert) {
    int query = r.target.indexOf('?');
    String path = query < 0 ? r.target : r.target.substring(0, query);
    String rest = query < 0 ? "" : r.target.substring(query);
    int at = 1 + x.nextInt(Math.max(1, path.length()));
    r.target =
        path.substring(0, Math.min(at, path.length()))
            + insert
            + path.substring(Math.min(at, path.length()))
            + rest;
    return r;
  }

  private static Request replaceSegment(Request r, Random x) {
    String[] segments = r.target.split("/", -1);
    int i = 1 + x.nextInt(Math.max(1, segments.length - 1));
    if (i < segments.length) {
      // mostly ids outside the id rule (refused before any twin); now and then a valid unknown one
      segments[i] = x.nextInt(10) == 0 ? token(x, 1 + x.nextInt(32)) : junk(x, 1 + x.nextInt(60));
    }
    r.target = String.join("/", segments);
    return r;
  }

  private static String junk(Random x, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      char c = PATH_JUNK_CHARS.charAt(x.nextInt(PATH_JUNK_CHARS.length()));
      out.append(c > 0x7f ? String.format("%%%02X", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }

  private static Request host(Request r, String host) {
    r.removeHeader("Host");
    return r.header("Host", host);
  }

  private static Request auth(Request r, String value) {
    r.removeHeader("Authorization");
    return r.header("Authorization", value);
  }

  private static Request body(Request r, Random x, String text) {
    r.body = text.getBytes(StandardCharsets.UTF_8);
    return r;
  }

  private static byte[] bodyOf(Request r) {
    return r.body == null ? new byte[0] : r.body;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static String pick(Random x, String... options) {
    return options[x.nextInt(options.length)];
  }

  private static byte[] pickBytes(Random x, byte[]... options) {
    return options[x.nextInt(options.length)];
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
