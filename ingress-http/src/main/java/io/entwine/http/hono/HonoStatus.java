package io.entwine.http.hono;

import static io.entwine.http.common.ApiResponses.error;

import io.entwine.http.common.AdmissionRefusals;
import io.entwine.http.common.ApiResponses;
import io.entwine.http.common.Refused;
import io.entwine.ingress.Admission;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Where the Hono HTTP adapter's refusals become its status codes and bodies (Eclipse Hono 1.2 HTTP
 * adapter user guide): an unknown or disabled device is 404, a tenant that may not use the adapter
 * 403, a payload over the tenant's limit 413, a used-up message budget 429.
 */
final class HonoStatus {
  private HonoStatus() {}

  /** The reply, unless it is a rejection: then the pipeline ends with Hono's status for it. */
  static Reply orRefuse(Reply reply) {
    if (reply instanceof Reply.Rejected rejected) {
      throw new Refused(response(rejected));
    }
    if (reply instanceof Reply.NeedsVerification) {
      throw new Refused(challenge(Reply.Rejected.UNAUTHORIZED_MESSAGE));
    }
    return reply;
  }

  /** The tenant's settings when admitted; else the pipeline ends with Hono's status for it. */
  static Reply.OrganizationSettings orRefuse(Admission.Decision decision) {
    if (!decision.admitted()) {
      throw new Refused(response(decision.refusal()));
    }
    return decision.settings();
  }

  static HttpResponse response(Admission.Refusal refusal) {
    return AdmissionRefusals.response(refusal, "Tenant", "Hono HTTP adapter");
  }

  /** A disabled or unknown device is 404 in Hono. */
  static HttpResponse response(Reply.Rejected rejected) {
    if (rejected.reason() == Rejection.LIMIT_EXCEEDED
        || rejected.reason() == Rejection.UNAVAILABLE) {
      return ApiResponses.rejection(rejected);
    }
    StatusCode status =
        switch (rejected.reason()) {
          case UNAUTHORIZED -> null;
          case DISABLED, NOT_FOUND -> StatusCodes.NOT_FOUND;
          case TIMED_OUT -> StatusCodes.SERVICE_UNAVAILABLE;
          default -> ApiResponses.statusOf(rejected.reason());
        };
    return status == null ? challenge(rejected.message()) : error(status, rejected.message());
  }

  static HttpResponse challenge(String message) {
    return ApiResponses.unauthorized("Basic", message);
  }
}
