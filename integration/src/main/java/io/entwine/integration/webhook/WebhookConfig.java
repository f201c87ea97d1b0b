package io.entwine.integration.webhook;

import io.entwine.protocol.CborSerializable;
import io.entwine.streams.StreamFilter;
import java.util.Map;

/**
 * A webhook as stored: where it posts ({@code url}, http or https), what it takes ({@code filter}),
 * the HMAC key of its signatures sealed with the cluster key ({@code sealedSecret}, null without
 * one), and extra request headers whose values are sealed too (they often carry a token).
 */
public record WebhookConfig(
    String org,
    String id,
    String url,
    StreamFilter filter,
    String sealedSecret,
    Map<String, String> sealedHeaders)
    implements CborSerializable {
  public WebhookConfig {
    sealedHeaders = sealedHeaders == null ? Map.of() : Map.copyOf(sealedHeaders);
  }
}
