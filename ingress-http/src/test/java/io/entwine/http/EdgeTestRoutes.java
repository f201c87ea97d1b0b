package io.entwine.http;

import io.entwine.http.common.ApiDirectives;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * A few routes standing for the API's: one to read, one taking a bounded body, two broken ones, and
 * a WebSocket echo.
 */
public final class EdgeTestRoutes extends ApiDirectives {
  public static final int MAX_BODY_BYTES = 1024;

  public Route route() {
    return concat(
        path("ok", () -> get(() -> complete("ok"))),
        path("echo", () -> handleWebSocketMessages(Flow.<Message>create())),
        path(
            "events",
            () ->
                post(
                    () ->
                        withSizeLimit(
                            MAX_BODY_BYTES,
                            () ->
                                strictEntity(
                                    entity ->
                                        complete(
                                            entity.getContentType()
                                                + " "
                                                + entity.getData().size()))))),
        path(
            "missing-class",
            () ->
                get(
                    () -> {
                      throw new NoClassDefFoundError("com/example/Gone");
                    })),
        path(
            "missing-class-later",
            () ->
                get(
                    () ->
                        onSuccess(
                            CompletableFuture.<String>failedFuture(
                                new NoClassDefFoundError("com/example/GoneLater")),
                            this::complete))));
  }
}
