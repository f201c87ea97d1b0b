package io.entwine.deploy.console;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium driven through its own chromedriver (nothing downloaded at test time), with a
 * fresh profile that is deleted afterwards. Outside CI the console tests skip when chromium is not
 * installed; in CI (env {@code CI} set) its absence fails them, since {@code .ci/run} installs it.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  // the Debian binary itself; /usr/bin/chromium is a wrapper script
  private static final List<Path> BROWSERS =
      List.of(Path.of("/usr/lib/chromium/chromium"), Path.of("/usr/bin/chromium"));
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  final WebDriver driver;
  private final ChromeDriverService service;
  private final Path profile;

  private HeadlessChromium(WebDriver driver, ChromeDriverService service, Path profile) {
    this.driver = driver;
    this.service = service;
    this.profile = profile;
  }

  /** Starts chromium, or skips (fails in CI) the calling test class when it is not installed. */
  static HeadlessChromium start() throws IOException {
    Path browser = BROWSERS.stream().filter(Files::isExecutable).findFirst().orElse(null);
    if (browser == null || !Files.isExecutable(DRIVER)) {
      String missing =
          "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)";
      if (System.getenv("CI") != null) {
        fail(missing + "; CI must run the console tests");
      }
      Assumptions.abort(missing + "; the console tests are skipped outside CI");
    }
    Path profile = Files.createTempDirectory("entwine-chromium-");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1024",
        "--user-data-dir=" + profile);
    // the page's console messages, for tests that a page loads without errors
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    try {
      return new HeadlessChromium(new ChromeDriver(service, options), service, profile);
    } catch (RuntimeException e) {
      service.stop();
      delete(profile);
      throw e;
    }
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /** Waits (generously: the machine is shared) until {@code condition} holds. */
  <T> T await(ExpectedCondition<T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(30))
        // the console re-renders lists as data arrives
        .ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  /** The page's console errors since the last call (reading them clears them). */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  /** Scrolls {@code element} to the middle of the window, then saves it as {@link #screenshot}. */
  void screenshot(String name, WebElement element) throws IOException {
    ((ChromeDriver) driver)
        .executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
    screenshot(name);
  }

  /** Saves the window as target/console-screenshots/{name}.png. */
  void screenshot(String name) throws IOException {
    File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
    Files.createDirectories(SCREENSHOTS);
    Files.copy(
        shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      delete(profile);
    }
  }

  private static void delete(Path directory) {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
