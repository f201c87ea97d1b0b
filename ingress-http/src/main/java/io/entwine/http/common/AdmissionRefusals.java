package io.entwine.http.common;

import static io.entwine.http.common.ApiResponses.error;

import io.entwine.ingress.Admission;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * An {@link Admission.Refusal} as an HTTP answer in the IBM error shape, for the edges that use it
 * (Hono, IBM HTTP events): an unknown organization 404, an adapter switched off 403, a payload over
 * the organization's limit 413, a used-up message budget 429 (Eclipse Hono 1.2 HTTP adapter user
 * guide, "Message Limits" and "Tenant specific Configuration").
 */
public final class AdmissionRefusals {
  private AdmissionRefusals() {}

  /**
   * {@code party} is what the protocol calls an organization ("Tenant"), {@code adapter} what it
   * calls the adapter ("Hono HTTP adapter").
   */
  public static HttpResponse response(Admission.Refusal refusal, String party, String adapter) {
    StatusCode status =
        switch (refusal.reason()) {
          case UNKNOWN_ORGANIZATION -> StatusCodes.NOT_FOUND;
          case ADAPTER_DISABLED -> StatusCodes.FORBIDDEN;
          case PAYLOAD_TOO_LARGE -> StatusCodes.PAYLOAD_TOO_LARGE;
          case OVER_BUDGET -> StatusCodes.TOO_MANY_REQUESTS;
        };
    return error(status, refusal.message(party, adapter));
  }
}
