package io.entwine.deploy.testing;

import io.entwine.deploy.testing.Fixtures.ApiKey;
import java.nio.charset.StandardCharsets;

/** An application's calls on one device's state document through {@code node}'s HTTP API. */
public record StateApi(TestNode node, ApiKey apiKey, String type, String id) {

  public String path() {
    return "/api/v0002/device/types/" + type + "/devices/" + id + "/state";
  }

  /** {@code PATCH .../state/desired} with a merge patch; {@code ifMatch} null sends none. */
  public TestNode.Response desire(String mergePatch, String ifMatch) {
    TestNode.RequestBuilder request =
        node.request("PATCH", path() + "/desired")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .body("application/merge-patch+json", mergePatch.getBytes(StandardCharsets.UTF_8));
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return request.send();
  }

  public TestNode.Response state() {
    return node.request("GET", path())
        .organization(apiKey.org())
        .basic(apiKey.key(), apiKey.token())
        .send();
  }
}
