package io.entwine.usage;

import io.entwine.identity.DeviceKey;
import io.entwine.usage.UsageRepository.DeviceOnDay;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An organization's usage over whole UTC days, from the rows {@link UsageRecorder} writes: the
 * devices that sent something, and the bytes they sent.
 */
public final class Usage {

  /** The longest range one request may ask for: a year, leap or not. */
  public static final int MAX_DAYS = 366;

  /** Days read at once: enough to hide round trips, few enough not to flood the store. */
  private static final int DAYS_IN_FLIGHT = 8;

  private final UsageRepository repository;

  public Usage(UsageRepository repository) {
    this.repository = repository;
  }

  /** One day's figure. */
  public record Day(LocalDate date, long total) {}

  /**
   * The figure over the range: {@code total} for all of it, {@code average} per day (rounded down),
   * and each day's.
   */
  public record Report(LocalDate start, LocalDate end, long total, long average, List<Day> days) {}

  /** Devices that sent at least one event: per day, and distinct over the range as its total. */
  public CompletionStage<Report> activeDevices(String org, LocalDate start, LocalDate end) {
    return days(org, start, end)
        .thenApply(
            perDay -> {
              Set<DeviceKey> distinct = new HashSet<>();
              List<Day> days = new ArrayList<>(perDay.size());
              long sumOfDays = 0;
              for (int i = 0; i < perDay.size(); i++) {
                List<DeviceOnDay> devices = perDay.get(i);
                devices.forEach(d -> distinct.add(d.device()));
                days.add(new Day(start.plusDays(i), devices.size()));
                sumOfDays += devices.size();
              }
              return new Report(start, end, distinct.size(), sumOfDays / days.size(), days);
            });
  }

  /** Bytes of the event payloads devices sent: per day, and their sum as the total. */
  public CompletionStage<Report> eventBytes(String org, LocalDate start, LocalDate end) {
    return days(org, start, end)
        .thenApply(
            perDay -> {
              List<Day> days = new ArrayList<>(perDay.size());
              long total = 0;
              for (int i = 0; i < perDay.size(); i++) {
                long bytes = perDay.get(i).stream().mapToLong(d -> d.sent().bytes()).sum();
                days.add(new Day(start.plusDays(i), bytes));
                total += bytes;
              }
              return new Report(start, end, total, total / days.size(), days);
            });
  }

  /** Each day's rows, oldest first. */
  private CompletionStage<List<List<DeviceOnDay>>> days(
      String org, LocalDate start, LocalDate end) {
    long count = ChronoUnit.DAYS.between(start, end) + 1;
    if (count < 1 || count > MAX_DAYS) {
      throw new IllegalArgumentException("A range is 1 to " + MAX_DAYS + " days");
    }
    List<CompletableFuture<List<DeviceOnDay>>> results = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      long day = start.toEpochDay() + i;
      CompletableFuture<?> previous =
          i < DAYS_IN_FLIGHT
              ? CompletableFuture.completedFuture(null)
              : results.get(i - DAYS_IN_FLIGHT);
      // each day is read when the one DAYS_IN_FLIGHT before it is done
      results.add(
          previous.thenCompose(done -> repository.devicesOn(org, day)).toCompletableFuture());
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(all -> results.stream().map(CompletableFuture::join).toList());
  }
}
