package io.entwine.http.console;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console at {@code /console/}: static ES modules from this jar and uPlot from its webjar.
 * The console only calls the public API with the person's own credentials, so these routes need no
 * authentication; the headers keep the pages from being framed or fed foreign scripts.
 */
public final class ConsoleRoutes extends AllDirectives {
  static final String FILES = "entwine/console";

  /** The uPlot webjar's files; its version is the one ingress-http's pom names. */
  static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist";

  private static final List<HttpHeader> HEADERS =
      List.of(
          RawHeader.create(
              "Content-Security-Policy",
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
                  + " frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("X-Frame-Options", "DENY"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          // a node upgraded in place serves new files at once
          RawHeader.create("Cache-Control", "no-cache"));

  public Route route() {
    return pathPrefix(
        "console",
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                redirect(Uri.create("/console/"), StatusCodes.MOVED_PERMANENTLY))),
                get(
                    () ->
                        respondWithHeaders(
                            HEADERS,
                            () ->
                                concat(
                                    pathSingleSlash(
                                        () ->
                                            getFromResource(
                                                FILES + "/index.html",
                                                ContentTypes.TEXT_HTML_UTF8)),
                                    pathPrefix(
                                        segment("lib").slash("uplot"),
                                        () -> getFromResourceDirectory(UPLOT)),
                                    getFromResourceDirectory(FILES))))));
  }
}
