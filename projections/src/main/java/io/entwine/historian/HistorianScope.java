package io.entwine.historian;

import io.entwine.identity.DeviceKey;

/**
 * What a historian query covers: a whole organization ({@code type} and {@code id} null), one
 * device type ({@code id} null) or one device.
 */
public record HistorianScope(String org, String type, String id) {

  public static HistorianScope organization(String org) {
    return new HistorianScope(org, null, null);
  }

  public static HistorianScope deviceType(String org, String type) {
    return new HistorianScope(org, type, null);
  }

  public static HistorianScope device(DeviceKey device) {
    return new HistorianScope(device.org(), device.type(), device.id());
  }

  public boolean isOrganization() {
    return type == null;
  }

  public boolean isDevice() {
    return id != null;
  }

  /**
   * The scope's key in {@code historian_buckets}: {@code ""} for the organization, {@code TYPE}, or
   * {@code TYPE/ID} (neither may contain a slash).
   */
  public String key() {
    return type == null ? "" : id == null ? type : type + "/" + id;
  }

  /** The length of the raw-event buckets of this scope: a day per device, else an hour. */
  public long bucketSize() {
    return isDevice() ? Buckets.DAY : Buckets.HOUR;
  }

  /** True when {@code key} lies in this scope. */
  public boolean contains(DeviceKey key) {
    return key.org().equals(org)
        && (type == null || key.type().equals(type))
        && (id == null || key.id().equals(id));
  }
}
