package io.entwine.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NumericFieldsTest {

  @Test
  void takesTheFieldsUnderDOfAnIotfPayloadWithDottedPaths() {
    // IBM IoT Foundation documentation 5.4.1, example 2
    assertEquals(
        Map.of("mem", 54.9, "network.up", 1.22, "network.down", 0.55, "cpu", 1.3),
        fields(
            "{\"d\":{\"host\":\"IBM700-R9E683D\",\"mem\":54.9,\"network\":{\"up\":1.22,"
                + "\"down\":0.55},\"cpu\":1.3},\"ts\":\"2014-12-30T14:47:36+00:00\"}"));
  }

  @Test
  void takesTheTopLevelOfCustomJson() {
    // IBM IoT Foundation documentation 5.4.2, example 3: an unexpected member makes it custom
    assertEquals(
        Map.of("temp", 60.0), fields("{\"d\":{},\"temp\":60,\"ts\":\"2014-12-30T14:47:36Z\"}"));
    assertEquals(Map.of("a", 1.0, "b.c", -2.5), fields("{\"a\":1,\"b\":{\"c\":-2.5}}"));
  }

  @Test
  void ignoresWhatIsNotAFiniteNumber() {
    assertEquals(
        Map.of("n", 1.0),
        fields("{\"s\":\"5\",\"b\":true,\"z\":null,\"a\":[1,2],\"n\":1,\"huge\":1e400}"));
    assertEquals(Map.of(), fields("[{\"d\":{\"temp\":1}}]"));
    assertEquals(Map.of(), fields("{\"d\":[\"green\",\"yellow\"]}"));
    assertEquals(Map.of(), fields("42"));
    assertEquals(Map.of(), NumericFields.of("text", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(Map.of(), fields("{not json"));
  }

  @Test
  void keepsAtMostAHundredFields() {
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < 150; i++) {
      json.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
    }
    Map<String, Double> fields = fields(json.append('}').toString());
    assertEquals(NumericFields.MAX_FIELDS, fields.size());
    assertEquals(99.0, fields.get("f99"));
  }

  private static Map<String, Double> fields(String json) {
    return NumericFields.of("json", json.getBytes(StandardCharsets.UTF_8));
  }
}
