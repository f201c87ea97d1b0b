package io.entwine.http.admin;

import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.ingress.SlowAcknowledgements;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator's view of where this node's slow acknowledgements spent their time: the newest ones
 * over the threshold with their stages (docs/adr/0079). On the API port, behind the operator's
 * token, so that a benchmark reaches it while the management port is off.
 */
public final class SlowAcknowledgementRoutes extends ApiDirectives {
  private final Authentication authentication;
  private final SlowAcknowledgements slow;

  public SlowAcknowledgementRoutes(Authentication authentication, SlowAcknowledgements slow) {
    this.authentication = authentication;
    this.slow = slow;
  }

  public Route route() {
    return path(
        segment("api").slash("v0002").slash("admin").slash("slow-acknowledgements"),
        () ->
            get(
                () ->
                    authentication.operator(
                        () -> complete(json(StatusCodes.OK, slow.snapshot())))));
  }
}
