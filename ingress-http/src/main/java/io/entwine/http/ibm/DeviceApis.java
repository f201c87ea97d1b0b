package io.entwine.http.ibm;

import io.entwine.http.common.Authentication;
import io.entwine.ingress.TwinGateway;
import io.entwine.registry.view.RegistryRepository;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's device APIs as one route: v0001 device management ({@link DeviceManagementRoutes}), v0002
 * organization and device types ({@link DeviceTypeRoutes}), devices ({@link PlatformDeviceRoutes})
 * bulk operations ({@link BulkRoutes}) and gateways' resource groups ({@link ResourceGroupRoutes}),
 * in the order in which their paths must be tried.
 */
public final class DeviceApis {
  private DeviceApis() {}

  public static Route route(
      TwinGateway gateway, RegistryRepository registry, Authentication authentication) {
    DeviceApiRoutes.Parts parts =
        new DeviceApiRoutes.Parts(
            gateway, registry, authentication, new PlatformRegistration(gateway));
    return Directives.concat(
        new DeviceManagementRoutes(parts).route(),
        new DeviceTypeRoutes(parts).route(),
        new PlatformDeviceRoutes(parts).route(),
        new BulkRoutes(parts).route(),
        // after the bulk routes: a group id is a path segment where they have add and remove
        new ResourceGroupRoutes(parts).route());
  }
}
