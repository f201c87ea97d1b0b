package io.entwine.deploy.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.util.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WarningRateLimitTest {
  private static final String NOISY = "org.apache.pekko.persistence.cassandra.journal.TagWriter";

  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> appended = new ListAppender<>();

  @BeforeEach
  void configure() {
    WarningRateLimit limit = new WarningRateLimit();
    limit.addLogger(NOISY);
    limit.addMessage("Sending an 2xx 'early' response");
    limit.setInterval(Duration.buildBySeconds(60));
    limit.start();
    context.addTurboFilter(limit);
    appended.setContext(context);
    appended.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appended);
  }

  @Test
  void letsOneWarningPerIntervalThroughFromAListedLogger() {
    Logger noisy = context.getLogger(NOISY);
    for (int i = 0; i < 1000; i++) {
      noisy.warn("Writing tags has failed, attempt {}", i);
    }

    assertEquals(List.of("Writing tags has failed, attempt 0"), messages());
  }

  @Test
  void leavesOtherLevelsAndOtherLoggersAlone() {
    Logger noisy = context.getLogger(NOISY);
    Logger other = context.getLogger("io.entwine.http.server.EntwineRoutes");
    noisy.info("tag write done");
    noisy.info("tag write done");
    other.warn("No answer in time");
    other.warn("No answer in time");

    assertEquals(
        List.of("tag write done", "tag write done", "No answer in time", "No answer in time"),
        messages());
  }

  @Test
  void limitsAListedMessageFromAnyLoggerAndLeavesTheLoggersOtherWarnings() {
    Logger pekko = context.getLogger("org.apache.pekko.actor.ActorSystemImpl");
    for (int i = 0; i < 100; i++) {
      pekko.warn("Sending an 2xx 'early' response before end of request for /{}", i);
    }
    pekko.warn("Something else went wrong");

    assertEquals(
        List.of(
            "Sending an 2xx 'early' response before end of request for /0",
            "Something else went wrong"),
        messages());
  }

  private List<String> messages() {
    return appended.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
