package io.entwine.usage;

import io.entwine.identity.DeviceKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** The per-device, per-day usage rows: written by {@link UsageRecorder}, read by {@link Usage}. */
public interface UsageRepository {

  CompletionStage<Optional<DeviceDay>> deviceDay(DeviceDay.Key key);

  /** Writes the rows whole. */
  CompletionStage<Done> save(Map<DeviceDay.Key, DeviceDay> days);

  /** The devices of {@code org} that sent something on {@code day}, with what they sent. */
  CompletionStage<List<DeviceOnDay>> devicesOn(String org, long day);

  record DeviceOnDay(DeviceKey device, DeviceDay sent) {}
}
