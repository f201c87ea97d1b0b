package io.entwine.integration.script;

import com.fasterxml.jackson.databind.JsonNode;
import org.mozilla.javascript.Script;

/**
 * A converter script compiled once as the body of one named function, called in the {@link Sandbox}
 * under its limits: what the uplink and the downlink converter share.
 */
record ScriptFunction(Script compiled, String name, ScriptLimits limits) {

  static ScriptFunction compile(String name, String parameters, String body, ScriptLimits limits)
      throws ConverterException {
    return new ScriptFunction(Sandbox.compile(name, parameters, body), name, limits);
  }

  /** The function's result as JSON (null for {@code undefined}). */
  JsonNode call(Sandbox.Arguments args) throws ConverterException {
    return Sandbox.call(compiled, name, limits, args);
  }
}
