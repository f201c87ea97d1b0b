package io.entwine.mgmt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.mgmt.ActionRequests.Request;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionOutcome;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.Collection;

/**
 * The JSON that IBM's platform API v0002 answers for management requests (IBM Watson IoT Platform
 * API v0002 documentation, Device Management requests), built from {@link ActionRequests}' state.
 */
final class RequestViews {
  private RequestViews() {}

  static Reply view(Request request) {
    return new Reply.ManagementView(body(request));
  }

  static Reply list(Collection<Request> requests) {
    ArrayNode results = JsonNodeFactory.instance.arrayNode();
    requests.forEach(request -> results.add(body(request)));
    return new Reply.ManagementView(page(results));
  }

  /** Each device's status of {@code request}, or NOT_FOUND when there is none. */
  static Reply deviceStatus(Request request, String requestId) {
    if (request == null) {
      return notFound(requestId);
    }
    ArrayNode results = JsonNodeFactory.instance.arrayNode();
    for (DeviceKey device : request.devices()) {
      ActionOutcome outcome = request.outcomes().get(device.type() + "/" + device.id());
      ObjectNode status =
          results
              .addObject()
              .put("typeId", device.type())
              .put("deviceId", device.id())
              .put("complete", outcome != null)
              .put("status", outcome == null ? 0 : outcome.success() ? 1 : 2);
      if (outcome != null) {
        status.put("rc", outcome.rc()).put("updatedDateTime", outcome.at().toString());
        if (outcome.message() != null) {
          status.put("message", outcome.message());
        }
      }
    }
    return new Reply.ManagementView(page(results));
  }

  /**
   * IBM's request: {@code status} 0 while in progress, 1 when every device succeeded, 2 when one
   * failed.
   */
  private static JsonNode body(Request request) {
    ObjectNode body =
        JsonNodeFactory.instance
            .objectNode()
            .put("id", request.id())
            .put("action", request.action())
            .put("complete", request.complete())
            .put(
                "status",
                !request.complete()
                    ? 0
                    : request.outcomes().values().stream().allMatch(ActionOutcome::success) ? 1 : 2)
            .put("createdDateTime", request.created().toString())
            .put("updatedDateTime", request.updated().toString());
    ArrayNode parameters = body.putArray("parameters");
    request
        .parameters()
        .forEach((name, value) -> parameters.addObject().put("name", name).put("value", value));
    return body;
  }

  private static JsonNode page(ArrayNode results) {
    ObjectNode page = JsonNodeFactory.instance.objectNode();
    page.set("results", results);
    page.putObject("meta").put("total_rows", results.size());
    return page;
  }

  static Reply notFound(String requestId) {
    return new Reply.Rejected(
        Rejection.NOT_FOUND, "Device management request '" + requestId + "' does not exist");
  }
}
