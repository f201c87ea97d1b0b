package io.entwine.deploy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.entwine.connections.ConnectionStates;
import io.entwine.connections.ConnectionSweeper;
import io.entwine.credentials.Credentials;
import io.entwine.deploy.cassandra.SchemaApplier;
import io.entwine.deploy.metrics.NodeMetrics;
import io.entwine.historian.CassandraHistorianQueries;
import io.entwine.historian.CassandraHistorianRepository;
import io.entwine.historian.HistorianCursors;
import io.entwine.historian.HistorianProjection;
import io.entwine.historian.HistorianQueries;
import io.entwine.historian.HistorianRetention;
import io.entwine.http.admin.AdminRoutes;
import io.entwine.http.admin.ClusterRoutes;
import io.entwine.http.admin.OrganizationListRoutes;
import io.entwine.http.admin.ProjectionRoutes;
import io.entwine.http.admin.SlowAcknowledgementRoutes;
import io.entwine.http.common.Authentication;
import io.entwine.http.console.ConsoleRoutes;
import io.entwine.http.docs.ApiDocsRoutes;
import io.entwine.http.historian.HistorianRoutes;
import io.entwine.http.historian.PlatformHistorianRoutes;
import io.entwine.http.hono.DeviceCredentialRoutes;
import io.entwine.http.hono.HonoRoutes;
import io.entwine.http.ibm.CommandRoutes;
import io.entwine.http.ibm.ConnectionRoutes;
import io.entwine.http.ibm.DeviceApis;
import io.entwine.http.ibm.DeviceEventRoutes;
import io.entwine.http.ibm.ManagementRoutes;
import io.entwine.http.ibm.UsageRoutes;
import io.entwine.http.integrations.AttributeRoutes;
import io.entwine.http.integrations.IntegrationRoutes;
import io.entwine.http.integrations.MqttBridgeRoutes;
import io.entwine.http.server.EntwineRoutes;
import io.entwine.http.server.HealthRoutes;
import io.entwine.http.server.HttpServer;
import io.entwine.http.server.HttpSettings;
import io.entwine.http.server.HttpsSettings;
import io.entwine.http.state.StateRoutes;
import io.entwine.http.streams.StreamRoutes;
import io.entwine.http.streams.StreamSettings;
import io.entwine.http.streams.StreamTokens;
import io.entwine.http.tencent.TencentRoutes;
import io.entwine.http.webhooks.WebhookRoutes;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.TwinGateway;
import io.entwine.integration.HttpIntegrations;
import io.entwine.integration.Integration;
import io.entwine.integration.IntegrationDirectory;
import io.entwine.integration.UplinkRecorder;
import io.entwine.integration.mqtt.MqttBridgeSettings;
import io.entwine.integration.mqtt.MqttBridges;
import io.entwine.integration.script.Converters;
import io.entwine.integration.webhook.WebhookSettings;
import io.entwine.integration.webhook.Webhooks;
import io.entwine.mgmt.ActionRequests;
import io.entwine.mgmt.ManagedDevice;
import io.entwine.mqtt.GatewayTwinAccess;
import io.entwine.mqtt.MqttIngress;
import io.entwine.mqtt.MqttSettings;
import io.entwine.projection.ProjectionLag;
import io.entwine.registry.AuthIdIndex;
import io.entwine.registry.DeviceIdIndex;
import io.entwine.registry.DeviceTypeCatalog;
import io.entwine.registry.Organization;
import io.entwine.registry.StandardGatewayRoles;
import io.entwine.registry.TrustedCaIndex;
import io.entwine.registry.view.CassandraOrganizationRepository;
import io.entwine.registry.view.CassandraRegistryRepository;
import io.entwine.registry.view.OrganizationProjection;
import io.entwine.registry.view.OrganizationRepository;
import io.entwine.registry.view.RegistryProfileBackfill;
import io.entwine.registry.view.RegistryProjection;
import io.entwine.registry.view.RegistryRepository;
import io.entwine.streams.ApplicationStreams;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinSettings;
import io.entwine.usage.CassandraUsageRepository;
import io.entwine.usage.Usage;
import io.entwine.usage.UsageRepository;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * One Entwine node, wired in one place: schema → cluster → entities → projections → HTTP → MQTT.
 * Used by {@link Main} and by the integration tests. It is over 400 lines because it is the only
 * place that knows the start order of every module; each part it starts lives in its own module.
 */
public final class EntwineNode implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final Optional<ServerBinding> httpsBinding;
  private final MqttIngress mqtt;

  private EntwineNode(ActorSystem<Void> system, Servers servers) {
    this.system = system;
    this.binding = servers.http();
    this.httpsBinding = servers.https();
    this.mqtt = servers.mqtt();
  }

  private record Servers(ServerBinding http, Optional<ServerBinding> https, MqttIngress mqtt) {}

  /**
   * The node's configuration: {@code overrides}, then application.conf, then every module's
   * reference.conf, resolved together so that overrides reach every setting derived from them.
   */
  public static Config config(Config overrides) {
    return ConfigFactory.load(
        overrides.withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
  }

  /** Starts a node with a configuration from {@link #config}. */
  public static EntwineNode start(Config config) throws Exception {
    Config effective = ClusterFormation.withDiscoveryEndpoints(withCassandraContactPoints(config));
    if (effective.getBoolean("entwine.cassandra.apply-schema")) {
      applySchema(effective);
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "entwine", effective);
    // first: the registry every module's meters go to is chosen before any registers one
    NodeMetrics.get(system);
    try {
      ClusterFormation.join(system, effective);
      return new EntwineNode(system, startServices(system, effective));
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  private static Servers startServices(ActorSystem<Void> system, Config config) throws Exception {
    Organization.init(system);
    DeviceTypeCatalog.init(system);
    ManagedDevice.init(system);
    ActionRequests.init(system);
    DeviceTwin.init(system);
    AuthIdIndex.TABLE.init(system);
    DeviceIdIndex.TABLE.init(system);
    StandardGatewayRoles.TABLE.init(system);
    TrustedCaIndex.TABLE.init(system);
    Integration.init(system);
    IntegrationDirectory.TABLE.init(system);

    CassandraSession session =
        CassandraSessionRegistry.get(system).sessionFor("pekko.persistence.cassandra");
    String keyspace = config.getString("entwine.cassandra.keyspace");
    RegistryRepository registry = new CassandraRegistryRepository(session, keyspace);
    UsageRepository usageRepository = new CassandraUsageRepository(session, keyspace);
    ConnectionStates connectionStates =
        new ConnectionStates(
            session,
            keyspace,
            system,
            ConnectionSweeper.incarnation(system),
            config.getDuration("entwine.connections.record-interval"));
    ConnectionSweeper.start(
        system, connectionStates.owners(), config.getDuration("entwine.connections.node-lease"));
    OrganizationRepository organizations = new CassandraOrganizationRepository(session, keyspace);
    RegistryProjection.init(system, registry);
    OrganizationProjection.init(system, organizations);
    HistorianQueries historian = new CassandraHistorianQueries(session, keyspace, system);
    HistorianCursors historianCursors = HistorianCursors.fromConfig(config);
    ProjectionLag projectionLag =
        ProjectionLag.fromConfig(
            session,
            config,
            Map.of(
                RegistryProjection.NAME,
                DeviceTwin.REGISTRY_TAGS,
                OrganizationProjection.NAME,
                List.of(Organization.CREATED_TAG),
                HistorianProjection.NAME,
                DeviceTwin.RECORDED_TAGS));

    HttpSettings httpSettings = HttpSettings.from(config);
    Credentials credentials = Credentials.get(system);
    TwinGateway gateway =
        new TwinGateway(
            system, credentials.verifiedSecrets(), config.getDuration("entwine.ask-timeout"));
    Authentication authentication = new Authentication(gateway, httpSettings);
    RegistryProfileBackfill.init(
        system,
        session,
        keyspace,
        gateway.devices()::republishProfile,
        config.getDuration("entwine.registry.profile-backfill-delay"));
    OrganizationPolicies policies =
        new OrganizationPolicies(system, gateway, OrganizationPolicies.cacheTtl(system));
    HistorianProjection.init(
        system,
        new CassandraHistorianRepository(session, keyspace),
        HistorianRetention.from(policies),
        usageRepository);
    MqttBridges.init(system, new UplinkRecorder(gateway, policies));
    MqttBridges bridges =
        new MqttBridges(
            system, credentials.secretBox(), MqttBridgeSettings.from(config), gateway.askTimeout());
    WebhookSettings webhookSettings = WebhookSettings.from(config);
    Webhooks.init(system, webhookSettings);
    NodeStartup startup = NodeStartup.get(system);
    HealthRoutes health =
        new HealthRoutes(
            List.of(
                new HealthRoutes.Check("cassandra", () -> cassandraAnswers(session)),
                new HealthRoutes.Check("cluster", () -> isUp(system)),
                new HealthRoutes.Check(
                    "sharding", new ShardingReadiness(Adapter.toClassic(system))),
                new HealthRoutes.Check(
                    "http", new NodeStartup.Readiness(Adapter.toClassic(system)))));
    EntwineRoutes routes =
        new EntwineRoutes(
            health.route(),
            new ApiDocsRoutes().route(),
            new OrganizationListRoutes(organizations, authentication).route(),
            new AdminRoutes(
                    gateway,
                    credentials.verifiedSecrets(),
                    authentication,
                    policies,
                    config.getDuration("entwine.historian.minimum-retention"))
                .route(),
            new ProjectionRoutes(authentication, projectionLag::lags).route(),
            new SlowAcknowledgementRoutes(authentication, gateway.slowAcknowledgements()).route(),
            streamRoutes(system, config, authentication, gateway),
            new ClusterRoutes(authentication, system).route(),
            new ConsoleRoutes().route(),
            new MqttBridgeRoutes(bridges, authentication).route(),
            new WebhookRoutes(
                    new Webhooks(system, webhookSettings, gateway.askTimeout()), authentication)
                .route(),
            // before the management routes, which authenticate everything under /api/v0001
            new HistorianRoutes(authentication, historian, historianCursors).route(),
            new PlatformHistorianRoutes(authentication, historian, historianCursors).route(),
            new UsageRoutes(new Usage(usageRepository), authentication).route(),
            new ConnectionRoutes(connectionStates, authentication).route(),
            DeviceApis.route(gateway, registry, authentication),
            new ManagementRoutes(gateway, authentication).route(),
            new AttributeRoutes(gateway, authentication, httpSettings).route(),
            new StateRoutes(gateway, authentication).route(),
            new IntegrationRoutes(
                    new HttpIntegrations(
                        system, gateway, Converters.get(system), credentials.secretBox(), policies),
                    authentication,
                    httpSettings)
                .route(),
            new DeviceEventRoutes(gateway, policies, authentication, httpSettings).route(),
            new DeviceCredentialRoutes(
                    gateway, credentials.verifiedSecrets(), credentials.secretBox(), authentication)
                .route(),
            new CommandRoutes(gateway, authentication, httpSettings).route(),
            new HonoRoutes(gateway, policies, httpSettings).route(),
            new TencentRoutes(
                    gateway,
                    policies,
                    credentials.secretBox(),
                    authentication,
                    httpSettings,
                    TwinSettings.from(config).nonceWindow())
                .route());
    ServerBinding binding =
        HttpServer.start(system, httpSettings, routes.route())
            .toCompletableFuture()
            .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Optional<ServerBinding> https = startHttps(system, config, routes.route());
    MqttIngress mqtt =
        MqttIngress.start(
                system,
                MqttSettings.from(config),
                new GatewayTwinAccess(gateway, policies),
                connectionStates)
            .toCompletableFuture()
            .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    // ready only once every listener accepts: a client told "ready" may use MQTT at once
    startup.serving();
    NodeMetrics.get(system)
        .register(
            new NodeMetrics.Sources(
                projectionLag::lags, gateway.eventPermits(), mqtt::connections));
    return new Servers(binding, https, mqtt);
  }

  private static Route streamRoutes(
      ActorSystem<Void> system, Config config, Authentication authentication, TwinGateway gateway) {
    StreamSettings settings = StreamSettings.from(config);
    return new StreamRoutes(
            authentication,
            new ApplicationStreams(system),
            StreamTokens.fromConfig(config, settings.tokenTtl()),
            settings,
            gateway)
        .route();
  }

  /** The same routes over TLS when a certificate is configured (Hono's X.509 devices). */
  private static Optional<ServerBinding> startHttps(
      ActorSystem<Void> system, Config config, Route route) throws Exception {
    Optional<HttpsSettings> settings = HttpsSettings.from(config);
    if (settings.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        HttpServer.startHttps(system, settings.get(), route)
            .toCompletableFuture()
            .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public InetSocketAddress httpAddress() {
    return binding.localAddress();
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** The HTTPS port; empty unless a certificate is configured. */
  public OptionalInt httpsPort() {
    return httpsBinding
        .map(b -> OptionalInt.of(b.localAddress().getPort()))
        .orElse(OptionalInt.empty());
  }

  /** The plain MQTT port; empty when {@code entwine.mqtt.port} turns it off. */
  public OptionalInt mqttPort() {
    return mqtt.port();
  }

  /** The MQTT-over-TLS port; empty unless a certificate is configured. */
  public OptionalInt mqttTlsPort() {
    return mqtt.tlsPort();
  }

  /** The MQTT-over-WebSocket port (path {@code /mqtt}, TLS when a certificate is configured). */
  public OptionalInt mqttWebSocketPort() {
    return mqtt.webSocketPort();
  }

  /** Leaves the cluster and stops the node; returns when the actor system has terminated. */
  @Override
  public void close() throws Exception {
    Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static Config withCassandraContactPoints(Config config) {
    String hosts = config.getString("entwine.cassandra.contact-points");
    if (hosts.isBlank()) {
      throw new IllegalArgumentException(
          "entwine.cassandra.contact-points (ENTWINE_CASSANDRA_CONTACT_POINTS) is empty");
    }
    int port = config.getInt("entwine.cassandra.port");
    List<String> contactPoints =
        Arrays.stream(hosts.split(","))
            .map(String::trim)
            .filter(host -> !host.isEmpty())
            .map(host -> host.contains(":") ? host : host + ":" + port)
            .toList();
    return ConfigFactory.empty()
        .withValue(
            "datastax-java-driver.basic.contact-points",
            ConfigValueFactory.fromIterable(contactPoints))
        .withFallback(config);
  }

  private static void applySchema(Config config) {
    List<InetSocketAddress> contactPoints =
        config.getStringList("datastax-java-driver.basic.contact-points").stream()
            .map(EntwineNode::address)
            .toList();
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoints(contactPoints)
            .withLocalDatacenter(config.getString("entwine.cassandra.local-datacenter"))
            // with schema metadata on, the driver refreshes it after every DDL statement
            // (about 1.4 s each here); this session only runs the DDL
            .withConfigLoader(
                DriverConfigLoader.programmaticBuilder()
                    .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
                    .build())
            .build()) {
      SchemaApplier.apply(
          session,
          config.getString("entwine.cassandra.keyspace"),
          config.getString("entwine.cassandra.replication"));
    }
  }

  private static InetSocketAddress address(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
  }

  private static CompletableFuture<Boolean> cassandraAnswers(CassandraSession session) {
    return session
        .selectOne("SELECT release_version FROM system.local")
        .thenApply(row -> row.isPresent())
        .toCompletableFuture();
  }

  private static CompletableFuture<Boolean> isUp(ActorSystem<?> system) {
    return CompletableFuture.completedFuture(
        Cluster.get(system).selfMember().status() == MemberStatus.up());
  }
}
