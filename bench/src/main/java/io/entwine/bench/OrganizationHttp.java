package io.entwine.bench;

import java.net.http.HttpClient;
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
}
