package io.entwine.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU time of named processes over an interval, from {@code /proc/PID/stat}: {@code --cpu
 * node=PID,cassandra=PID} and {@code --clock-ticks} (the system's {@code CLK_TCK}, 100 unless
 * given). Without {@code --cpu} it measures nothing and prints nothing.
 */
final class ProcessCpu {
  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final int clockTicksPerSecond;
  private Map<String, Long> start = Map.of();

  ProcessCpu(Args args) {
    String spec = args.text("cpu", "");
    for (String named : spec.isEmpty() ? new String[0] : spec.split(",")) {
      String[] parts = named.split("=", 2);
      pids.put(parts[0], Long.parseLong(parts[1]));
    }
    clockTicksPerSecond = args.integer("clock-ticks", 100);
  }

  void start() {
    start = ticks();
  }

  /** {@code cpu_NAME_us=…} for each process: microseconds of CPU per unit of work since start. */
  String perUnit(long units) {
    StringBuilder figures = new StringBuilder();
    ticks()
        .forEach(
            (name, ticks) ->
                figures.append(
                    String.format(
                        Locale.ROOT,
                        " cpu_%s_us=%.0f",
                        name,
                        units > 0
                            ? (ticks - start.get(name)) * 1e6 / clockTicksPerSecond / units
                            : 0.0)));
    return figures.toString();
  }

  private Map<String, Long> ticks() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    pids.forEach((name, pid) -> ticks.put(name, ticksOf(pid)));
    return ticks;
  }

  private static long ticksOf(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // fields after the command name, which may hold spaces: state is the first, then utime is
      // the 12th and stime the 13th (proc(5): fields 14 and 15)
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
