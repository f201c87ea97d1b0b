package io.entwine.http.ibm;

import io.entwine.http.common.Authentication;
import io.entwine.ingress.TwinGateway;
import io.entwine.registry.view.RegistryRepository;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the routes of IBM's device APIs (v0001 device management, v0002 device types, devices and
 * bulk operations) are made of: they change twins through the gateway, register devices as IBM's
 * v0002 API does, list devices from the registry read model, and authenticate the caller's API key.
 * {@link DeviceApis} makes them, from one {@link Parts}.
 */
abstract class DeviceApiRoutes extends PlatformDirectives {
  /** What every device API route class is made of. */
  record Parts(
      TwinGateway gateway,
      RegistryRepository registry,
      Authentication authentication,
      PlatformRegistration registration) {}

  protected final TwinGateway gateway;
  protected final RegistryRepository registry;
  protected final Authentication authentication;
  protected final PlatformRegistration registration;

  DeviceApiRoutes(Parts parts) {
    this.gateway = parts.gateway();
    this.registry = parts.registry();
    this.authentication = parts.authentication();
    this.registration = parts.registration();
  }

  public abstract Route route();
}
