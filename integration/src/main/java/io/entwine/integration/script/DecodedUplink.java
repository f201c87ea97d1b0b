package io.entwine.integration.script;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One device's part of what an uplink converter returned, normalised:
 *
 * <ul>
 *   <li>{@code deviceName} and {@code deviceType} are valid Entwine device ids ({@code deviceType}
 *       is {@code "default"} when the script gave none, as in ThingsBoard);
 *   <li>{@code telemetry} is always an array of samples {@code {"ts": epochMillis?, "values":
 *       {...}}}: ThingsBoard's three forms ({@code {k: v}}, {@code {ts, values}}, {@code [{ts,
 *       values}, ...]}) all become this; a sample without {@code ts} happened on arrival; the array
 *       is empty when the script returned no telemetry;
 *   <li>{@code attributes} is an object, empty when the script returned none.
 * </ul>
 */
public record DecodedUplink(
    String deviceName, String deviceType, JsonNode telemetry, ObjectNode attributes) {}
