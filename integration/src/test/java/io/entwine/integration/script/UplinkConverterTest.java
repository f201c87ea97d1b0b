package io.entwine.integration.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UplinkConverterTest {
  private static final ScriptLimits SHORT = new ScriptLimits(Duration.ofMillis(200), 64);

  /** For scripts that build large results: time is not what those tests are about. */
  private static final ScriptLimits ROOMY = new ScriptLimits(Duration.ofSeconds(10), 64);

  /** The JavaScript uplink template of ThingsBoard's HTTP integration guide, unchanged. */
  static final String THINGSBOARD_TEMPLATE =
      """
      // Decode an uplink message from a buffer
      // payload - array of bytes
      // metadata - key/value object

      /** Decoder **/

      // decode payload to string
      var payloadStr = decodeToString(payload);

      // decode payload to JSON
      var data = JSON.parse(payloadStr);

      var deviceName = data.deviceName;
      var deviceType = data.deviceType;

      // Result object with device attributes/telemetry data
      var result = {
         deviceName: deviceName,
         deviceType: deviceType,
         attributes: {
             model: data.model,
             integrationName: metadata['integrationName']
         },
         telemetry: {
             temperature: data.temperature
         }
      };

      /** Helper functions **/

      function decodeToString(payload) {
         return String.fromCharCode.apply(String, payload);
      }

      function decodeToJson(payload) {
         // covert payload to string.
         var str = decodeToString(payload);

         // parse string to JSON
         var data = JSON.parse(str);
         return data;
      }

      return result;
      """;

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static ConverterException failure(String script, String payload) {
    return assertThrows(
        ConverterException.class,
        () -> UplinkConverter.compile(script, SHORT).decode(utf8(payload), Map.of()));
  }

  @Test
  void decodesTheThingsBoardTemplate() throws Exception {
    UplinkConverter converter = UplinkConverter.compile(THINGSBOARD_TEMPLATE, ScriptLimits.DEFAULT);
    List<DecodedUplink> uplinks =
        converter.decode(
            utf8(
                "{\"deviceName\":\"SN-001\",\"deviceType\":\"thermostat\",\"temperature\":33,\"model\":\"test\"}"),
            Map.of("integrationName", "HTTP Integration"));

    assertEquals(1, uplinks.size());
    DecodedUplink uplink = uplinks.get(0);
    assertEquals("SN-001", uplink.deviceName());
    assertEquals("thermostat", uplink.deviceType());
    assertEquals(33, uplink.telemetry().get(0).get("values").get("temperature").intValue());
    assertTrue(uplink.telemetry().get(0).path("ts").isMissingNode());
    assertEquals("test", uplink.attributes().get("model").textValue());
    assertEquals("HTTP Integration", uplink.attributes().get("integrationName").textValue());
  }

  @Test
  void builtInHelpersDecodeUtf8() throws Exception {
    UplinkConverter converter =
        UplinkConverter.compile(
            "var d = decodeToJson(payload);"
                + " return {deviceName: 'd1', attributes: {label: d.label, raw: decodeToString(payload)}};",
            ScriptLimits.DEFAULT);
    DecodedUplink uplink = converter.decode(utf8("{\"label\":\"Küche\"}"), Map.of()).get(0);

    assertEquals("Küche", uplink.attributes().get("label").textValue());
    assertEquals("default", uplink.deviceType());
    assertEquals(0, uplink.telemetry().size());
  }

  @Test
  void normalisesTheThreeTelemetryForms() throws Exception {
    String script =
        "var d = decodeToJson(payload); return [{deviceName: 'a', telemetry: d.plain},"
            + " {deviceName: 'b', telemetry: d.one}, {deviceName: 'c', telemetry: d.many}];";
    List<DecodedUplink> uplinks =
        UplinkConverter.compile(script, ScriptLimits.DEFAULT)
            .decode(
                utf8(
                    "{\"plain\":{\"t\":1},\"one\":{\"ts\":1700000000000,\"values\":{\"t\":2}},"
                        + "\"many\":[{\"ts\":1,\"values\":{\"t\":3}},{\"ts\":2,\"values\":{\"t\":4}}]}"),
                Map.of());

    assertEquals("[{\"values\":{\"t\":1}}]", uplinks.get(0).telemetry().toString());
    assertEquals(
        "[{\"ts\":1700000000000,\"values\":{\"t\":2}}]", uplinks.get(1).telemetry().toString());
    assertEquals(2, uplinks.get(2).telemetry().size());
    assertEquals(4, uplinks.get(2).telemetry().get(1).get("values").get("t").intValue());
  }

  @Test
  void reportsASyntaxErrorWithItsLine() {
    ConverterException e =
        assertThrows(
            ConverterException.class,
            () -> UplinkConverter.compile("var a = 1;\nvar b = ;", ScriptLimits.DEFAULT));
    assertEquals(ConverterException.Kind.SYNTAX, e.kind());
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void reportsWhatTheScriptThrew() {
    ConverterException e =
        failure("throw new Error('no temperature in ' + decodeToString(payload));", "x");
    assertEquals(ConverterException.Kind.THREW, e.kind());
    assertEquals("Error: no temperature in x (line 1)", e.getMessage());
  }

  @Test
  void reportsAPayloadThatIsNotJson() {
    ConverterException e = failure("return decodeToJson(payload);", "{not json");
    assertEquals(ConverterException.Kind.THREW, e.kind());
    assertTrue(e.getMessage().startsWith("SyntaxError"), e.getMessage());
  }

  @Test
  void reportsAReferenceToAnUndefinedName() {
    ConverterException e = failure("return {deviceName: payloadStr};", "x");
    assertEquals(ConverterException.Kind.THREW, e.kind());
    assertTrue(e.getMessage().startsWith("ReferenceError"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "while (true) {}",
        "for (;;) { try { while (true) {} } catch (e) {} finally { } }",
        "function f() { try { f(); } finally { while (true) {} } } f();",
        "var a = []; while (true) { a.push(a.length); if (a.length > 1000) a = []; }",
        "return /(a+)+b/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac');"
      })
  void stopsAScriptThatRunsTooLong(String script) {
    ConverterException e = failure(script, "x");
    assertEquals(ConverterException.Kind.TIMEOUT, e.kind());
    assertEquals("The script ran longer than 200 ms and was stopped", e.getMessage());
  }

  @Test
  void stopsUnboundedRecursion() {
    ConverterException e = failure("function f(n) { return f(n + 1); } return f(0);", "x");
    assertEquals(ConverterException.Kind.THREW, e.kind());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "return {deviceName: 'a'.repeat(2147483647)};",
        "var s = 'ab'; for (var i = 0; i < 40; i++) s = s + s; return {deviceName: s};"
      })
  void reportsAnAllocationBeyondTheEnginesLimits(String script) {
    ConverterException e = failure(script, "x");
    assertEquals(ConverterException.Kind.THREW, e.kind(), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "java.lang.System.exit(1);",
        "Packages.java.lang.System.exit(1);",
        "importPackage(java.io);",
        "return this.constructor.constructor('return java.lang.System')().exit(1);",
        "return (function(){}).constructor('return Packages')().java.lang.Runtime.getRuntime();",
        "return JavaAdapter;",
        "return decodeToString.getClass().forName('java.lang.System');",
        "return payload.getClass();",
        "return Object.getPrototypeOf(metadata).getClass();",
        "load('/etc/passwd');",
        "return readFile('/etc/passwd');"
      })
  void deniesEveryHostAccess(String script) {
    ConverterException e = failure(script, "x");
    assertEquals(ConverterException.Kind.THREW, e.kind(), e.getMessage());
  }

  @Test
  void aScriptCannotChangeTheBuiltInsForTheNextRun() throws Exception {
    String polluting =
        "try { Object.prototype.deviceName = 'evil'; } catch (e) {}"
            + " try { JSON.parse = function() { return {}; }; } catch (e) {}"
            + " try { decodeToJson.x = 1; } catch (e) {}"
            + " decodeToJson = null; return {deviceName: 'p'};";
    UplinkConverter.compile(polluting, ScriptLimits.DEFAULT).decode(utf8("{}"), Map.of());

    DecodedUplink next =
        UplinkConverter.compile(
                "var d = decodeToJson(payload); return {deviceName: d.name, x: ({}).deviceName};",
                ScriptLimits.DEFAULT)
            .decode(utf8("{\"name\":\"clean\"}"), Map.of())
            .get(0);
    assertEquals("clean", next.deviceName());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "return 42;",
        "return 'SN-1';",
        "",
        "return {deviceType: 'x'};",
        "return {deviceName: 7};",
        "return {deviceName: 'has space'};",
        "return {deviceName: 'a', telemetry: 5};",
        "return {deviceName: 'a', telemetry: [{t: 1}]};",
        "return {deviceName: 'a', telemetry: {ts: 'yesterday', values: {t: 1}}};",
        "return {deviceName: 'a', attributes: [1]};",
        "return {assetName: 'building', assetType: 'b'};",
        "return [{deviceName: 'a'}, 3];"
      })
  void rejectsAResultOfTheWrongShape(String script) {
    ConverterException e = failure(script, "x");
    assertEquals(ConverterException.Kind.WRONG_SHAPE, e.kind(), e.getMessage());
  }

  @Test
  void runsConcurrentlyWithoutSharingState() throws Exception {
    UplinkConverter converter =
        UplinkConverter.compile(
            "var seen = (typeof counter === 'undefined') ? 0 : counter; counter = seen + 1;"
                + " var d = decodeToJson(payload);"
                + " return {deviceName: d.n, telemetry: {seen: seen}};",
            ScriptLimits.DEFAULT);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<DecodedUplink>>> runs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        byte[] payload = utf8("{\"n\":\"dev" + i + "\"}");
        runs.add(pool.submit(() -> converter.decode(payload, Map.of())));
      }
      for (int i = 0; i < runs.size(); i++) {
        DecodedUplink uplink = runs.get(i).get().get(0);
        assertEquals("dev" + i, uplink.deviceName());
        JsonNode values = uplink.telemetry().get(0).get("values");
        assertEquals(0, values.get("seen").intValue(), "a run saw another run's global");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // The reproduction: one message naming 1,000 devices.
        "var r = []; for (var i = 0; i < 1000; i++) r.push({deviceName: 'd' + i}); return r;",
        "var r = []; for (var i = 0; i < 101; i++) r.push({deviceName: 'd' + i}); return r;",
        "var t = []; for (var i = 0; i < 1001; i++) t.push({ts: i, values: {v: i}});"
            + " return {deviceName: 'd', telemetry: t};",
        "var r = []; for (var i = 0; i < 100; i++) { var t = []; for (var j = 0; j < 10; j++)"
            + " t.push({ts: j, values: {v: j}}); r.push({deviceName: 'd' + i, telemetry: t,"
            + " attributes: {a: 1}}); } return r;",
        "return {deviceName: 'd', attributes: {big: 'x'.repeat(2000000)}};"
      })
  void refusesAResultBeyondTheLimitsOfOneMessage(String script) {
    ConverterException e =
        assertThrows(
            ConverterException.class,
            () -> UplinkConverter.compile(script, ROOMY).decode(utf8("x"), Map.of()));
    assertEquals(ConverterException.Kind.TOO_LARGE, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("at most"), e.getMessage());
  }

  @Test
  void acceptsAResultAtTheLimits() throws Exception {
    String script =
        "var r = []; for (var i = 0; i < 100; i++) r.push({deviceName: 'd' + i,"
            + " telemetry: [{ts: 1, values: {v: i}}], attributes: i < 50 ? {} : {a: i}});"
            + " r[0].telemetry = []; for (var j = 0; j < 851; j++)"
            + " r[0].telemetry.push({ts: j, values: {v: j}}); return r;";
    List<DecodedUplink> uplinks =
        UplinkConverter.compile(script, ROOMY).decode(utf8("x"), Map.of());
    assertEquals(100, uplinks.size());
    assertEquals(851, uplinks.get(0).telemetry().size());
  }

  @Test
  void resultLimitsComeFromTheSettings() {
    ScriptLimits small = new ScriptLimits(Duration.ofMillis(200), 64, 1000, 2, 3);
    ConverterException e =
        assertThrows(
            ConverterException.class,
            () ->
                UplinkConverter.compile(
                        "return [{deviceName: 'a'}, {deviceName: 'b'}, {deviceName: 'c'}];", small)
                    .decode(utf8("x"), Map.of()));
    assertEquals(ConverterException.Kind.TOO_LARGE, e.kind());
    assertEquals(
        "The decoder returned 3 devices for one message; the node accepts at most 2 devices per"
            + " message, and recorded nothing of it",
        e.getMessage());
  }
}
