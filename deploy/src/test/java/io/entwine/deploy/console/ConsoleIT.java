package io.entwine.deploy.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.textMatches;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.urlContains;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.mqtt.Paho;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.StateApi;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console at /console/ in a real headless chromium against a real node: everything a person
 * does there goes through the public API with their own credentials.
 */
class ConsoleIT {
  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  private static HeadlessChromium browser;

  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "thermostat", id = "lab-1")
  private Device device;

  @BeforeAll
  static void startBrowser() throws Exception {
    browser = HeadlessChromium.start();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  private void open(String route) {
    browser.driver.get(node.baseUrl() + "/console/" + route);
  }

  private void signIn(String key, String token) {
    open("");
    ((JavascriptExecutor) browser.driver).executeScript("sessionStorage.clear()");
    open("#/signin");
    browser.await(presenceOfElementLocated(By.id("api-key")));
    // by keyboard: the key field has the focus, Enter in the token field signs in
    WebElement focused = browser.driver.switchTo().activeElement();
    assertEquals("api-key", focused.getDomAttribute("id"));
    focused.sendKeys(key);
    browser.find("#api-token").sendKeys(token, Keys.ENTER);
  }

  private void signIn() {
    signIn(apiKey.key(), apiKey.token());
    browser.await(urlContains("#/types"));
  }

  private void openDevice(Device target) {
    open("#/types/" + target.type() + "/devices/" + target.id());
    browser.await(d -> !d.findElement(By.id("state-version")).getText().isEmpty());
  }

  @Test
  void signsInCreatesATypeRegistersListsOpensAndDeletesDevices() throws Exception {
    signIn(apiKey.key(), "not-the-token");
    browser.await(textMatches(By.cssSelector("main .error"), Pattern.compile("^401")));
    browser.screenshot("sign-in");

    signIn();
    browser.await(presenceOfElementLocated(By.id("new-type-id"))).sendKeys("valve");
    browser.find("#new-type-id").submit();
    browser.await(presenceOfElementLocated(By.linkText("valve"))).click();

    for (String id : new String[] {"v-1", "v-2"}) {
      browser.await(presenceOfElementLocated(By.id("new-device-id"))).sendKeys(id);
      browser.find("#register").click();
      browser.await(textMatches(By.cssSelector("main .ok"), Pattern.compile("Device " + id)));
    }
    WebElement list = awaitListed("v-2");
    browser.screenshot("devices");
    assertTrue(list.getText().contains("v-1"), list.getText());

    list.findElement(By.cssSelector("button[aria-label='Delete v-2']")).click();
    list.findElement(By.cssSelector("button[aria-label='Delete v-2']")).click();
    browser.await(d -> d.findElements(By.cssSelector("button[aria-label='Delete v-2']")).isEmpty());
    assertEquals(404, deviceStatus("valve", "v-2"));

    // v-2's deletion reaches the list 2–5 s later: the search names only v-1
    browser.find("#search-id").sendKeys("v-1");
    browser.find("#search-id").submit();
    browser.await(textToBePresentInElementLocated(By.id("page-status"), "1 shown of 1"));
    browser.find("#devices").findElement(By.linkText("v-1")).click();
    browser.await(textToBePresentInElementLocated(By.tagName("h1"), "valve / v-1"));
    assertTrue(
        browser.find("#registration").getText().contains("d:" + apiKey.org() + ":valve:v-1"));
  }

  /**
   * The registry lists new devices 2–5 s later: the list is refreshed until it shows them, and
   * answers once no refresh is under way, so that the rows stay as they are.
   */
  private WebElement awaitListed(String id) {
    return browser.await(
        d -> {
          WebElement list = d.findElement(By.id("device-list"));
          if (!"false".equals(list.getDomAttribute("aria-busy"))) {
            return null;
          }
          var rows = d.findElements(By.cssSelector("#devices a"));
          if (rows.stream().anyMatch(a -> a.getText().equals(id))) {
            return d.findElement(By.id("devices"));
          }
          d.findElement(By.id("refresh-list")).click();
          return null;
        });
  }

  private int deviceStatus(String type, String id) {
    return node.request("GET", "/api/v0002/device/types/" + type + "/devices/" + id)
        .basic(apiKey.key(), apiKey.token())
        .send()
        .status();
  }

  @Test
  void anotherOrganizationsKeyDoesNotSeeTheDevice() {
    ApiKey other = fixtures.organizationWithApiKey();
    signIn(other.key(), other.token());
    browser.await(urlContains("#/types"));
    open("#/types/thermostat/devices/lab-1");
    browser.await(textMatches(By.cssSelector("main .error"), Pattern.compile("^404")));
  }

  @Test
  void editsDesiredStateSeesTheVersionChangeAndAConflict() throws Exception {
    signIn();
    openDevice(device);
    browser.await(textToBePresentInElementLocated(By.id("state-version"), "0"));

    setDesired("{\"interval\": 15}");
    browser.await(textToBePresentInElementLocated(By.id("state-version"), "1"));
    assertTrue(browser.find("#state-delta").getText().contains("\"interval\": 15"));

    // someone else writes meanwhile: the page still edits version 1
    TestNode.Response elsewhere =
        new StateApi(node, apiKey, device.type(), device.id()).desire("{\"interval\":30}", "\"1\"");
    assertEquals(200, elsewhere.status(), elsewhere.body());
    setDesired("{\"interval\": 20}");
    WebElement conflict = browser.await(presenceOfElementLocated(By.id("state-conflict")));
    assertTrue(conflict.getText().contains("now at version 2"), conflict.getText());
    browser.screenshot("device-state-conflict", browser.find("#state"));
    assertEquals("1", browser.find("#state-version").getText());
  }

  private void setDesired(String json) {
    WebElement editor = browser.find("#desired-editor");
    editor.clear();
    editor.sendKeys(json);
    browser.find("#save-desired").click();
  }

  @Test
  void sendsACommandAndFollowsItUntilTheDeviceHasIt() throws Exception {
    MqttClient mqtt = Paho.device(node.mqttUri(), device);
    try {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      mqtt.subscribe("iot-2/cmd/+/fmt/+", 1, (topic, message) -> received.add(topic));
      signIn();
      openDevice(device);
      browser.find("#command-name").sendKeys("setInterval");
      WebElement payload = browser.find("#command-payload");
      payload.clear();
      payload.sendKeys("{\"d\":{\"interval\":15}}");
      browser.find("#send-command").click();
      browser.await(textMatches(By.cssSelector("#commands .ok"), Pattern.compile("queued as")));
      browser.await(presenceOfElementLocated(By.cssSelector("[data-command-status='delivered']")));
      browser.screenshot("device-commands", browser.find("#commands"));
    } finally {
      mqtt.disconnect();
      mqtt.close();
    }
  }

  @Test
  void chartDrawsTheHistoriansBuckets() throws Exception {
    for (int i = 0; i < 5; i++) {
      TestNode.Response sent =
          fixtures.sendEvent(
              device,
              "status",
              "application/json",
              ("{\"d\":{\"temp\":" + (20 + i) + "}}").getBytes(StandardCharsets.UTF_8));
      assertEquals(200, sent.status(), sent.body());
    }
    TestNode.awaitValue(
        Duration.ofSeconds(60),
        () ->
            node.request(
                    "GET",
                    "/api/v0001/historian/thermostat/lab-1?summarize=temp&summarize_type=count")
                .basic(apiKey.key(), apiKey.token())
                .send()
                .json()
                .path("evt")
                .path("temp")
                .asInt(),
        count -> count == 5);

    signIn();
    openDevice(device);
    browser.await(attributeToBe(By.id("chart-field"), "value", "temp"));
    browser.await(
        d -> {
          String values = d.findElement(By.id("chart")).getDomAttribute("data-values");
          return values != null && Integer.parseInt(values) > 0;
        });
    assertEquals(1, browser.driver.findElements(By.cssSelector("#chart canvas")).size());
    assertTrue(browser.find("#events").getText().contains("{\"d\":{\"temp\":24}}"));

    new Select(browser.find("#chart-aggregate")).selectByValue("max");
    browser.find("#draw-chart").click();
    browser.await(textToBePresentInElementLocated(By.id("chart-summary"), "max of temp"));
    browser.find("#chart-summary").click();
    assertTrue(browser.find("#chart-table").getText().contains("24"));
    browser.screenshot("device-history", browser.find("#history"));
  }

  @Test
  void showsLiveEventsFromTheStream() throws Exception {
    signIn();
    openDevice(device);
    browser.await(attributeToBe(By.id("live-status"), "data-state", "connected"));
    TestNode.Response sent =
        fixtures.sendEvent(
            device,
            "status",
            "application/json",
            "{\"d\":{\"temp\":31}}".getBytes(StandardCharsets.UTF_8));
    assertEquals(200, sent.status(), sent.body());
    browser.await(
        textToBePresentInElementLocated(
            By.cssSelector("#live-events li[data-kind='event']"), "31"));
    browser.screenshot("device-live", browser.find("#live"));
  }

  @Test
  void operatorSeesMembersProjectionLagAndOpensAListedOrganizationsKeys() throws Exception {
    assertEquals(401, node.request("GET", "/api/v0002/admin/cluster").send().status());
    assertEquals(
        401,
        node.request("GET", "/api/v0002/admin/cluster")
            .basic(apiKey.key(), apiKey.token())
            .send()
            .status());
    open("");
    ((JavascriptExecutor) browser.driver).executeScript("sessionStorage.clear()");
    open("#/signin");
    browser.await(presenceOfElementLocated(By.id("operator-token"))).sendKeys(TestNode.ADMIN_TOKEN);
    browser.find("#operator-sign-in").click();
    WebElement members = browser.await(presenceOfElementLocated(By.id("members")));
    assertTrue(members.getText().contains("Up"), members.getText());
    browser.await(presenceOfElementLocated(By.id("lag")));

    // the organizations list is a projection: refreshed until it has the organization
    By open = By.cssSelector("button[aria-label='Open " + apiKey.org() + "']");
    browser.await(
        d -> {
          if (!"false"
              .equals(d.findElement(By.id("organization-list")).getDomAttribute("aria-busy"))) {
            return null;
          }
          if (!d.findElements(open).isEmpty()) {
            return true;
          }
          d.findElement(By.id("refresh-list")).click();
          return null;
        });
    browser.find("#organizations").findElement(open).click();
    WebElement keys = browser.await(presenceOfElementLocated(By.id("apikeys")));
    assertTrue(keys.getText().contains(apiKey.key()), keys.getText());
    browser.screenshot("operator");
  }

  @Test
  void pagesThroughAThousandDevicesAndFindsThemByIdPrefix() throws Exception {
    fixtures.registerInBulk(apiKey, "many", 1000);
    signIn();
    open("#/types/many");
    // the registry lists them 2–5 s after registration
    browser.await(
        d -> {
          if (!"false".equals(d.findElement(By.id("device-list")).getDomAttribute("aria-busy"))) {
            return null;
          }
          if (d.findElement(By.id("page-status")).getText().endsWith("50 shown of 1000")) {
            return true;
          }
          d.findElement(By.id("refresh-list")).click();
          return null;
        });
    for (int page = 2; page <= 20; page++) {
      browser.find("#next-page").click();
      browser.await(textToBePresentInElementLocated(By.id("page-status"), "Page " + page + " ·"));
    }
    assertEquals("Page 20 · 50 shown of 1000", browser.find("#page-status").getText());
    assertTrue(browser.find("#devices").getText().contains(Fixtures.bulkDeviceId(999)));
    assertEquals("true", browser.find("#next-page").getDomProperty("disabled"));
    browser.find("#previous-page").click();
    browser.await(textToBePresentInElementLocated(By.id("page-status"), "Page 19 ·"));
    assertTrue(browser.find("#devices").getText().contains(Fixtures.bulkDeviceId(900)));

    browser.find("#search-id").sendKeys("d-099");
    browser.find("#search-id").submit();
    browser.await(textToBePresentInElementLocated(By.id("page-status"), "Page 1 · 10 shown of 10"));
    assertTrue(browser.find("#devices").getText().contains(Fixtures.bulkDeviceId(990)));
    browser.screenshot("devices-search");
  }

  /**
   * The API reference at /api/docs renders every operation of the node's OpenAPI document, from
   * files the node serves itself.
   */
  @Test
  void apiDocsRenderEveryOperationWithNothingFromElsewhere() throws Exception {
    JsonNode document = node.request("GET", "/api/openapi.json").send().json();
    int operations = 0;
    List<JsonNode> pathItems = new ArrayList<>();
    document.get("paths").forEach(pathItems::add);
    // swagger-ui renders OpenAPI 3.1's webhooks as operations too
    document.path("webhooks").forEach(pathItems::add);
    for (JsonNode pathItem : pathItems) {
      for (String method : List.of("get", "put", "post", "delete", "patch", "head", "options")) {
        // swagger-ui shows an operation once under each of its tags
        operations +=
            pathItem.has(method) ? Math.max(1, pathItem.get(method).path("tags").size()) : 0;
      }
    }
    browser.consoleErrors();
    browser.driver.get(node.baseUrl() + "/api/docs");

    browser.await(d -> !d.findElements(By.cssSelector(".opblock")).isEmpty());
    List<String> rendered = renderedOperations();
    assertEquals(operations, rendered.size(), "one block per documented operation and tag");
    assertTrue(
        rendered.stream().anyMatch(block -> block.endsWith("\tA page of a type's devices")),
        "the summary of the devices list is shown");
    @SuppressWarnings("unchecked")
    List<String> loaded =
        (List<String>)
            ((JavascriptExecutor) browser.driver)
                .executeScript("return performance.getEntriesByType('resource').map(e => e.name)");
    assertTrue(loaded.size() > 2, loaded::toString);
    for (String url : loaded) {
      assertTrue(url.startsWith(node.baseUrl() + "/"), () -> "loaded from elsewhere: " + url);
    }
    assertEquals(List.of(), browser.consoleErrors());
    browser.screenshot("api-docs");
  }

  /**
   * Every operation block swagger-ui renders, as its id, a tab and its summary. From 150 tags and
   * operations on, swagger-ui renders only those near the viewport (its virtualized list), so the
   * page is scrolled a third of a window at a time until it stops moving, collecting the blocks
   * each step shows; consecutive steps overlap, so no block is passed over.
   */
  @SuppressWarnings("unchecked")
  private List<String> renderedOperations() {
    return (List<String>)
        ((JavascriptExecutor) browser.driver)
            .executeAsyncScript(
                """
                const done = arguments[arguments.length - 1];
                const seen = new Map();
                const collect = () => document.querySelectorAll('.opblock').forEach(block => {
                  const summary = block.querySelector('.opblock-summary-description');
                  seen.set(block.id, summary ? summary.textContent : '');
                });
                let last = -1;
                let unmoved = 0;
                const step = () => {
                  collect();
                  if (unmoved >= 3) {
                    done(Array.from(seen, ([id, summary]) => id + '\t' + summary));
                    return;
                  }
                  window.scrollBy(0, Math.floor(window.innerHeight / 3));
                  setTimeout(() => {
                    unmoved = window.scrollY === last ? unmoved + 1 : 0;
                    last = window.scrollY;
                    step();
                  }, 100);
                };
                step();
                """);
  }
}
