package io.entwine.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.protocol.Reply;
import io.entwine.registry.DeviceTypeCatalog;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * An organization's device types (IBM platform API v0002), as the edges ask for them through {@link
 * TwinGateway#deviceTypes()}.
 */
public final class DeviceTypeRequests {
  private final TwinGateway twinGateway;

  DeviceTypeRequests(TwinGateway gateway) {
    this.twinGateway = gateway;
  }

  /** {@link Reply.DeviceTypeInfo}, ALREADY_EXISTS, or FORBIDDEN when the organization is full. */
  public CompletionStage<Reply> create(
      String org,
      String id,
      String classId,
      String description,
      JsonNode deviceInfo,
      JsonNode metadata) {
    return twinGateway.ask(
        catalog(org),
        replyTo ->
            new DeviceTypeCatalog.CreateType(
                new DeviceTypeCatalog.TypeCreated(
                    id, classId, description, deviceInfo, metadata, Timestamps.now()),
                replyTo));
  }

  /** Replaces the fields given (null: unchanged): {@link Reply.DeviceTypeInfo} or NOT_FOUND. */
  public CompletionStage<Reply> update(
      String org, String id, String description, JsonNode deviceInfo, JsonNode metadata) {
    return twinGateway.ask(
        catalog(org),
        replyTo ->
            new DeviceTypeCatalog.UpdateType(
                new DeviceTypeCatalog.TypeUpdated(
                    id, description, deviceInfo, metadata, Timestamps.now()),
                replyTo));
  }

  /** Done or NOT_FOUND. */
  public CompletionStage<Reply> delete(String org, String id) {
    return twinGateway.ask(
        catalog(org), replyTo -> new DeviceTypeCatalog.DeleteType(id, Timestamps.now(), replyTo));
  }

  /** {@link Reply.DeviceTypeInfo} or NOT_FOUND. */
  public CompletionStage<Reply> get(String org, String id) {
    return twinGateway.ask(catalog(org), replyTo -> new DeviceTypeCatalog.GetType(id, replyTo));
  }

  /** {@link Reply.DeviceTypeList}, ordered by id. */
  public CompletionStage<Reply> list(String org) {
    return twinGateway.ask(catalog(org), DeviceTypeCatalog.ListTypes::new);
  }

  private EntityRef<DeviceTypeCatalog.Command> catalog(String org) {
    return twinGateway.entity(DeviceTypeCatalog.ENTITY_KEY, org);
  }
}
