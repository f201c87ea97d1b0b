package io.entwine.identity;

/**
 * A device's identity: organization, device type and device id. Its entity id {@code org/type/id}
 * is unambiguous because none of the parts may contain a slash.
 */
public record DeviceKey(String org, String type, String id) {

  public String entityId() {
    return org + "/" + type + "/" + id;
  }

  /** The IBM client identifier and device uuid form, {@code d:org:type:id}. */
  public String uuid() {
    return "d:" + org + ":" + type + ":" + id;
  }

  /**
   * This key with its organization and type strings shared with every key that shares them: a node
   * keeps millions of twins resident, each holding its key, but only a few organizations and types.
   */
  public DeviceKey sharingOrgAndType() {
    return new DeviceKey(org.intern(), type.intern(), id);
  }

  public static DeviceKey fromEntityId(String entityId) {
    String[] parts = entityId.split("/", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("Not a device entity id: " + entityId);
    }
    return new DeviceKey(parts[0], parts[1], parts[2]);
  }
}
