package io.entwine.http.ibm;

import io.entwine.http.common.Authentication;
import io.entwine.ingress.TwinGateway;
import io.entwine.registry.view.RegistryRepository;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the routes of IBM's device APIs (v0001 device management, v0002 device types, devices and
 * bulk operations) are made of: they change twins through the gateway, list devices from the
 * registry read model, and authenticate the caller's API key.
 */
abstract class DeviceApiRoutes extends PlatformDirectives {
  protected final TwinGateway gateway;
  protected final RegistryRepository registry;
  protected final Authentication authentication;

  DeviceApiRoutes(TwinGateway gateway, RegistryRepository registry, Authentication authentication) {
    this.gateway = gateway;
    this.registry = registry;
    this.authentication = authentication;
  }

  public abstract Route route();
}
