package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (the system's headless Chromium) on a node over real Kafka and Cassandra: the
 * cluster view lists the member, the live feed shows an alert raised while it watches, and an entity's chart of
 * closed windows has drawn its points. Leaves a screenshot in target/.
 */
class DashboardBrowserIT {

  private static final long T0 = 1_700_000_040_000L;
  private static final String READER = "browser-it-reader-token";
  private static final String OPERATOR = "browser-it-operator-token";
  private static final String WRITER = "browser-it-writer-token";
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private static LocalInfra infra;
  private static ActorSystem<Void> node;
  private static String base;
  private static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    infra = LocalInfra.start(Files.createTempDirectory("tidewatch-browser-it"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    int httpPort = FreePorts.next();
    node =
        TestNodes.start(
            infra,
            Map.of(
                "tidewatch.http.port", httpPort,
                "tidewatch.http.tokens", READER + "=reader," + OPERATOR + "=operator," + WRITER + "=writer",
                "pekko.management.http.port", FreePorts.next()));
    base = "http://127.0.0.1:" + httpPort;
    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getProperty("tidewatch.chromium", "/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage",
        "--window-size=1280,1400");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(System.getProperty("tidewatch.chromedriver", "/usr/bin/chromedriver")))
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (node != null) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().join();
    }
    if (infra != null) {
      infra.close();
    }
  }

  private static void post(String ndjson) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/readings"))
                    .header("Authorization", "Bearer " + WRITER)
                    .POST(HttpRequest.BodyPublishers.ofString(ndjson))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(202, response.statusCode(), response.body());
  }

  private static String reading(String id, long ts, double value) {
    return String.format(
        Locale.ROOT, "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.1f}}%n",
        id, ts, value);
  }

  @Test
  void showsTheClusterALiveAlertAndAnEntitysWindows() throws Exception {
    StringBuilder minutes = new StringBuilder();
    for (int i = 0; i <= 130; i++) {
      minutes.append(reading("browser-s1", T0 + i * 1_000L, 20 + (i % 10) * 0.3));
    }
    post(minutes.toString());
    WebDriverWait wait = new WebDriverWait(browser, PATIENCE);

    browser.get(base + "/");
    browser.findElement(By.id("tokens")).sendKeys(READER + " " + OPERATOR);
    browser.findElement(By.cssSelector("#token-form button")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#cluster-members tr.member .status"), "Up"));
    assertEquals(1, browser.findElements(By.cssSelector("#cluster-members tr.member")).size());
    screenshot("dashboard-cluster.png");

    browser.findElement(By.cssSelector("nav button[data-view=stream]")).click();
    wait.until(ExpectedConditions.textToBe(By.id("alert-feed-status"), "live"));
    post(reading("browser-s2", T0, 20.0) + reading("browser-s2", T0 + 1_000, 48.0));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#alert-feed li.alert.new")));
    assertTrue(browser.findElement(By.cssSelector("#alert-feed li.alert.new")).getText().contains("browser-s2"));
    screenshot("dashboard-stream.png");

    browser.findElement(By.cssSelector("nav button[data-view=entity]")).click();
    browser.findElement(By.id("entity-id")).sendKeys("browser-s1");
    browser.findElement(By.cssSelector("#entity-form button")).click();
    wait.until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#window-chart circle.point"), 0));
    assertTrue(browser.findElements(By.cssSelector("#window-chart circle.point")).size() >= 2, "two closed minutes");

    screenshot("dashboard-entity.png");
  }

  private static void screenshot(String name) throws Exception {
    Path shot = Path.of("target", name);
    Files.createDirectories(shot.getParent());
    Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
  }
}
