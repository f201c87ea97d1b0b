package io.entwine.identity;

import java.util.Optional;
import java.util.regex.Pattern;

/** The identifier rules of IBM IoT Foundation, checked in one place for every protocol. */
public final class Ids {
  public static final String DEVICE_ID_RULE =
      "at most 32 characters of letters, digits, dash (-), underscore (_) and dot (.),"
          + " other than . and ..";
  public static final String ORG_ID_RULE = "1 to 32 lowercase letters, digits and underscores (_)";

  private static final Pattern DEVICE_PART = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  // The underscore lets Hono's tenant names (DEFAULT_TENANT) be organizations; see tenantOrg.
  private static final Pattern ORG_ID = Pattern.compile("[a-z0-9_]{1,32}");

  private Ids() {}

  /** An error message naming the rule, or empty when {@code value} is a valid device type or id. */
  public static Optional<String> checkDevicePart(String what, String value) {
    if (value != null && DEVICE_PART.matcher(value).matches() && !isDotsOnly(value)) {
      return Optional.empty();
    }
    return Optional.of("Invalid " + what + " '" + value + "': " + DEVICE_ID_RULE);
  }

  /** "." and ".." would name the containing path, not a device. */
  private static boolean isDotsOnly(String value) {
    return value.equals(".") || value.equals("..");
  }

  public static Optional<String> checkEventId(String value) {
    if (value != null && EVENT_ID.matcher(value).matches()) {
      return Optional.empty();
    }
    return Optional.of("Invalid event id '" + value + "': " + DEVICE_ID_RULE);
  }

  public static boolean isOrgId(String value) {
    return value != null && ORG_ID.matcher(value).matches();
  }

  /**
   * The organization a Hono tenant id names: tenant ids are organization ids compared without
   * regard to case, so {@code DEFAULT_TENANT} is organization {@code default_tenant}.
   */
  public static Optional<String> tenantOrg(String tenant) {
    if (tenant == null) {
      return Optional.empty();
    }
    String org = tenant.toLowerCase(java.util.Locale.ROOT);
    return isOrgId(org) ? Optional.of(org) : Optional.empty();
  }

  /** API keys read {@code a-ORG-xxxxxxxxxx}; the organization is part of the key, as in IBM's. */
  public static String apiKey(String org, String suffix) {
    return "a-" + org + "-" + suffix;
  }

  public static Optional<String> organizationOfApiKey(String key) {
    if (key == null || !key.startsWith("a-")) {
      return Optional.empty();
    }
    int end = key.indexOf('-', 2);
    if (end < 0) {
      return Optional.empty();
    }
    String org = key.substring(2, end);
    return isOrgId(org) ? Optional.of(org) : Optional.empty();
  }
}
