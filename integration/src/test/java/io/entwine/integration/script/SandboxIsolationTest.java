package io.entwine.integration.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One organization's converter must neither change nor observe another's: every trap below is set
 * by an "attacker" converter, then (and meanwhile) a "victim" converter of another organization
 * runs and must compute exactly what it computes on a fresh node, and the attacker must not get the
 * victim's data back.
 */
class SandboxIsolationTest {
  private static final ScriptLimits SHORT = new ScriptLimits(Duration.ofMillis(500), 64);

  /** Uses the built-ins a trap could reach; its result is known on a clean node. */
  private static final String VICTIM =
      """
      var d = decodeToJson(payload);
      var n = new Number(d.v);
      var text = String.fromCharCode.apply(String, payload);
      return {
        deviceName: d.name,
        telemetry: {joined: [1, 2].join('-'), sum: n + 1, secret: d.secret, len: text.length,
                    keys: Object.keys({a: 1}).join(','), mapped: [1, 2].map(function (x) {
                      return x * 2; }).join(','), str: String(7) + ('x').toUpperCase()},
        attributes: {inherited: ({}).deviceName === undefined && ({}).stolen === undefined,
                     proto: Object.getPrototypeOf([]) === Array.prototype
                         && Object.getPrototypeOf(Array.prototype) === Object.prototype}
      };
      """;

  private static final String VICTIM_PAYLOAD =
      "{\"name\":\"victim\",\"v\":5,\"secret\":\"s3cr3t\"}";

  private static final String EXPECTED_TELEMETRY =
      "{\"joined\":\"1-2\",\"sum\":6,\"secret\":\"s3cr3t\",\"len\":"
          + VICTIM_PAYLOAD.length()
          + ",\"keys\":\"a\",\"mapped\":\"2,4\",\"str\":\"7X\"}";

  /** Reads back what earlier runs of a trap may have stashed in shared built-ins. */
  private static final String COLLECTOR =
      """
      var found = [];
      function look(v) { try { if (v !== undefined && v !== null) found.push(String(v)); } catch (e) {} }
      look(Array.prototype.stolen); look(Object.prototype.stolen); look(JSON.stolen);
      look(Function.prototype.stolen); look(decodeToJson.stolen); look(this.stolen);
      try { look(Reflect.get(Object.prototype, 'stolen')); } catch (e) {}
      return {deviceName: 'collector', attributes: {found: found.join('|')}};
      """;

  @ParameterizedTest
  @ValueSource(
      strings = {
        // The reproduction: defineProperty is not stopped by sealing.
        "Object.defineProperty(Array.prototype, 'join', {value: function () { return 'HIJACKED'; }});",
        "Object.defineProperties(Object.prototype, {deviceName: {value: 'evil'},"
            + " stolen: {value: 'x', writable: true}});",
        "Object.prototype.__defineGetter__('deviceName', function () { return 'evil'; });",
        "Object.prototype.__defineSetter__('secret', function (v) { Array.prototype.stolen = v; });",
        "Array.prototype.__defineGetter__('length', function () { return 0; });",
        "Object.setPrototypeOf(Array.prototype, {join: function () { return 'HIJACKED'; }});",
        "Array.prototype.__proto__ = {join: function () { return 'HIJACKED'; }};",
        "Object.setPrototypeOf(Object.getPrototypeOf(decodeToJson), null);",
        "Reflect.defineProperty(Array.prototype, 'map', {value: function () { return ['HIJACKED']; }});",
        "Reflect.set(Array.prototype, 'join', function () { return 'HIJACKED'; });",
        "Reflect.setPrototypeOf(Object.prototype, {deviceName: 'evil'});",
        "Object.defineProperty(Object.prototype, 'toJSON', {value: function () {"
            + " (Array.prototype.stolen = Array.prototype.stolen || []).push(JSON.stringify(this,"
            + " function (k, v) { return k === 'toJSON' ? undefined : v; })); return this; }});",
        "Object.defineProperty(Number.prototype, 'valueOf', {value: function () { return 100; }});",
        "Object.defineProperty(Object.prototype, 'valueOf', {value: function () { return 100; }});",
        "Object.defineProperty(String.prototype, 'toUpperCase', {value: function () { return 'H'; }});",
        "Object.defineProperty(Function.prototype, 'apply', {value: function () { return 'H'; }});",
        "Object.defineProperty(JSON, 'parse', {value: function () {"
            + " return {name: 'victim', v: 0, secret: 'forged'}; }});",
        "Object.defineProperty(decodeToJson, 'call', {value: function () { return 'H'; }});"
            + " Object.defineProperty(Object.getPrototypeOf(decodeToJson), 'call',"
            + " {value: function () { return 'H'; }});",
        "Object.defineProperty(Object, 'keys', {value: function () { return ['HIJACKED']; }});",
        "Object.defineProperty(this, 'String', {value: function () { return 'H'; }});"
            + " String = function () { return 'H'; };",
        "Object.defineProperty(Symbol.prototype, 'toString', {value: function () { return 'H'; }});"
            + " Object.defineProperty(Array.prototype, Symbol.iterator,"
            + " {value: function () { return [][Symbol.iterator](); }});",
        "Object.freeze(Object.prototype); Object.freeze(Array.prototype);",
        "Object.preventExtensions(Object.prototype); Object.seal(Number.prototype);"
      })
  void aTrapSetByOneConverterNeitherChangesNorReadsAnothersRun(String trap) throws Exception {
    UplinkConverter attacker = attacker(trap);
    UplinkConverter victim = UplinkConverter.compile(VICTIM, SHORT);
    UplinkConverter collector = UplinkConverter.compile(COLLECTOR, SHORT);

    runAttacker(attacker);
    assertClean(victim.decode(utf8(VICTIM_PAYLOAD), Map.of()));
    assertEquals("", found(collector));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Object.defineProperty(Array.prototype, 'join', {value: function () { return 'HIJACKED'; }});",
        "Object.prototype.__defineGetter__('deviceName', function () { return 'evil'; });",
        "Object.setPrototypeOf(Array.prototype, {join: function () { return 'HIJACKED'; }});",
        "Reflect.defineProperty(Array.prototype, 'map', {value: function () { return ['H']; }});",
        "Object.defineProperty(Object.prototype, 'toJSON', {value: function () {"
            + " (Array.prototype.stolen = Array.prototype.stolen || []).push(this.secret);"
            + " return this; }});",
        "Object.defineProperty(Number.prototype, 'valueOf', {value: function () { return 100; }});"
      })
  void runsOfTwoOrganizationsAtOnceStayIsolated(String trap) throws Exception {
    UplinkConverter attacker = attacker(trap);
    UplinkConverter victim = UplinkConverter.compile(VICTIM, SHORT);
    UplinkConverter collector = UplinkConverter.compile(COLLECTOR, SHORT);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<DecodedUplink>>> victims = new ArrayList<>();
      List<Future<String>> collected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        pool.submit(() -> runAttacker(attacker));
        victims.add(pool.submit(() -> victim.decode(utf8(VICTIM_PAYLOAD), Map.of())));
        collected.add(pool.submit(() -> found(collector)));
      }
      for (Future<List<DecodedUplink>> run : victims) {
        assertClean(run.get());
      }
      for (Future<String> run : collected) {
        assertEquals("", run.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A trap in what a script throws runs under the run's limits and never escapes the sandbox. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "throw {name: 'E', message: {toString: function () { while (true) {} }}};",
        "throw {toString: function () { while (true) {} }};",
        "throw {name: 'E', get message() { throw new Error('again'); }};",
        "throw {get message() { while (true) {} }};",
        "throw {toString: function () { throw {toString: function () { return 'inner'; }}; }};",
        "throw {valueOf: function () { while (true) {} }, toString: undefined};",
        "var e = new Error('x'); Object.defineProperty(e, 'message', {get: function () {"
            + " while (true) {} }}); throw e;"
      })
  void aTrapInWhatTheScriptThrowsIsReportedAsTheScriptsError(String script) {
    ConverterException e =
        assertThrows(
            ConverterException.class,
            () -> UplinkConverter.compile(script, SHORT).decode(utf8("{}"), Map.of()));
    assertEquals(
        true,
        e.kind() == ConverterException.Kind.THREW || e.kind() == ConverterException.Kind.TIMEOUT,
        e.kind() + " " + e.getMessage());
  }

  private static UplinkConverter attacker(String trap) throws ConverterException {
    return UplinkConverter.compile(
        "try { " + trap + " } catch (e) {} return {deviceName: 'attacker'};", SHORT);
  }

  /** A trap may well break the attacker's own run (its own result): that is its business. */
  private static Void runAttacker(UplinkConverter attacker) {
    try {
      attacker.decode(utf8("{}"), Map.of());
    } catch (ConverterException e) {
      // the attacker's own run failed; only other runs matter here
    }
    return null;
  }

  private static void assertClean(List<DecodedUplink> uplinks) {
    assertEquals(1, uplinks.size());
    DecodedUplink uplink = uplinks.get(0);
    assertEquals("victim", uplink.deviceName());
    assertEquals("default", uplink.deviceType());
    JsonNode values = uplink.telemetry().get(0).get("values");
    assertEquals(EXPECTED_TELEMETRY, values.toString());
    assertEquals("{\"inherited\":true,\"proto\":true}", uplink.attributes().toString());
  }

  private static String found(UplinkConverter collector) throws ConverterException {
    return collector.decode(utf8("{}"), Map.of()).get(0).attributes().get("found").textValue();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
