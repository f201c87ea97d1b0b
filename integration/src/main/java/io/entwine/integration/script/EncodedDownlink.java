package io.entwine.integration.script;

import java.util.Map;

/**
 * What a downlink converter returned, as ThingsBoard defines it: {@code contentType} is {@code
 * JSON}, {@code TEXT} or {@code BINARY} (then {@code data} is base64), {@code metadata} string
 * pairs (empty when the script gave none).
 */
public record EncodedDownlink(String contentType, String data, Map<String, String> metadata) {}
