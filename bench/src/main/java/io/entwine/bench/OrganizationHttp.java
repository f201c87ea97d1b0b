package io.entwine.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * The JDK HTTP client as the benches use it: IBM clients address an organization by the first label
 * of the Host header, and the JDK client sets Host only when allowed, a property it reads once,
 * when its classes load. So every bench allows it through here, before making a client.
 */
final class OrganizationHttp {
  private OrganizationHttp() {}

  /** Allows the Host header; call before the JDK HTTP client is first used. */
  static void allowHostHeader() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  /** A client that may address an organization by Host. */
  static HttpClient client() {
    allowHostHeader();
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * A request to {@code path} below bench device {@code device}'s v0002 resource (e.g. {@code
   * /events/status}) on the node at {@code httpPort}, addressed to {@code org} by Host.
   */
  static HttpRequest.Builder deviceRequest(int httpPort, String org, int device, String path) {
    allowHostHeader();
    return HttpRequest.newBuilder(
            URI.create(
                "http://127.0.0.1:"
                    + httpPort
                    + "/api/v0002/device/types/"
                    + MqttTarget.DEVICE_TYPE
                    + "/devices/"
                    + MqttTarget.deviceId(device)
                    + path))
        .header("Host", org + ".localhost");
  }
}
