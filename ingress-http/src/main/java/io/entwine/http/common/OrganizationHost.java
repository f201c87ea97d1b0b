package io.entwine.http.common;

import io.entwine.identity.Ids;
import java.util.Locale;
import java.util.Optional;

/**
 * IBM clients address an organization by host name: {@code ORG.domain} or {@code
 * ORG.messaging.domain}. The organization is the first label of a host under the configured domain.
 */
public final class OrganizationHost {
  private final String domain;
  private final String suffix;

  public OrganizationHost(String domain) {
    this.domain = domain.toLowerCase(Locale.ROOT);
    this.suffix = "." + this.domain;
  }

  public String domain() {
    return domain;
  }

  public Optional<String> organizationOf(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (!name.endsWith(suffix) || name.length() == suffix.length()) {
      return Optional.empty();
    }
    String org = name.substring(0, name.indexOf('.'));
    return Ids.isOrgId(org) ? Optional.of(org) : Optional.empty();
  }
}
