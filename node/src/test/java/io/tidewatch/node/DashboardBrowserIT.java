package io.tidewatch.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.deploy.FreePorts;
import io.tidewatch.deploy.LocalInfra;
import io.tidewatch.node.bench.Tw1Bench;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (the system's headless Chromium) on a node over real Kafka and Cassandra: the
 * cluster view lists the member; the overview charts this node's metrics and shows the same totals as /metrics, and
 * its live feed an alert raised while it watches, and the open incidents by severity as the API lists them; the
 * incidents view lists the open ones and a transition as it happens; an entity's chart of closed windows (ECharts)
 * draws exactly the means the API gives and its incidents as bands; wall mode turns it dark; the browser logs no
 * error. Leaves screenshots in target/.
 */
class DashboardBrowserIT {

  private static final long T0 = 1_700_000_040_000L;
  private static final String READER = "browser-it-reader-token";
  private static final String OPERATOR = "browser-it-operator-token";
  private static final String WRITER = "browser-it-writer-token";
  private static final String AUDITOR = "browser-it-auditor-token";
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalInfra infra;
  private static ActorSystem<Void> node;
  private static String base;
  private static int httpPort;
  private static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    infra = LocalInfra.start(Files.createTempDirectory("tidewatch-browser-it"), LocalInfra.Ports.free(), LocalInfra.DEFAULT_TOPICS);
    httpPort = FreePorts.next();
    node =
        TestNodes.start(
            infra,
            Map.of(
                "tidewatch.http.port", httpPort,
                "tidewatch.http.tokens", READER + "=reader," + OPERATOR + "=operator," + WRITER + "=writer," + AUDITOR + "=auditor",
                "pekko.management.http.port", FreePorts.next()));
    base = "http://127.0.0.1:" + httpPort;
    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getProperty("tidewatch.chromium", "/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage",
        "--window-size=1920,1080");
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
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
  void showsTheClusterTheOverviewALiveAlertAndAnEntitysWindowsAsTheApiGivesThem() throws Exception {
    long ingestedBefore = metricsSum("tidewatch_readings_ingested_total");
    WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
    // Three posts, each recorded before the next: three commands, so the journal has at least three rows.
    StringBuilder minutes = new StringBuilder();
    for (int i = 0; i <= 130; i++) {
      minutes.append(reading("browser-s1", T0 + i * 1_000L, 20 + (i % 10) * 0.3));
      if (i == 60 || i == 130) {
        post(minutes.toString());
        long recorded = ingestedBefore + i + 1;
        wait.until(d -> metricsSum("tidewatch_readings_ingested_total") == recorded);
        minutes.setLength(0);
      }
    }
    post(reading("browser-s1", T0 + 2_000, 25.0)); // its minute has closed: late

    browser.get(base + "/");
    browser.findElement(By.id("tokens")).sendKeys(READER + " " + OPERATOR + " " + AUDITOR);
    browser.findElement(By.cssSelector("#token-form button")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#cluster-members tr.member .status"), "Up"));
    assertEquals(1, browser.findElements(By.cssSelector("#cluster-members tr.member")).size());
    assertEquals("auditor, operator, reader", browser.findElement(By.id("token-status")).getText());
    // Destructive actions ask first: dismissed, nothing happens.
    browser.findElement(By.cssSelector("#cluster-members tr.member button.member-down")).click();
    Alert confirmation = wait.until(ExpectedConditions.alertIsPresent());
    assertTrue(confirmation.getText().startsWith("Down "), confirmation.getText());
    confirmation.dismiss();
    assertEquals("Up", browser.findElement(By.cssSelector("#cluster-members tr.member .status")).getText());
    screenshot("dashboard-cluster.png");

    browser.findElement(By.cssSelector("nav button[data-view=overview]")).click();
    wait.until(ExpectedConditions.textToBe(By.id("alert-feed-status"), "live"));
    post(reading("browser-s2", T0, 20.0) + reading("browser-s2", T0 + 1_000, 48.0));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#alert-feed li.alert.new")));
    assertTrue(browser.findElement(By.cssSelector("#alert-feed li.alert.new")).getText().contains("browser-s2"));
    assertEquals("critical", browser.findElement(By.cssSelector("#alert-feed li.alert.new .severity")).getText(),
        "a jump of 28 against the delta threshold 5");
    // Every reading posted is ingested once the tile shows what /metrics counts; the charts have their samples.
    // (The registry is the JVM's: other tests' nodes may have counted before this one.)
    long ingested = ingestedBefore + 134;
    wait.until(d -> tileNumber("ingested") == ingested && metricsSum("tidewatch_readings_ingested_total") == ingested);
    wait.until(d -> seriesLength("chart-rates", "readings/s") >= 2);
    assertEquals(metricsSum("tidewatch_entities_active"), tileNumber("active"));
    assertTrue(seriesLength("chart-entities", "sensor") >= 2);
    // The jump opened a critical incident: the tile and the chart count the open incidents the API lists.
    wait.until(d -> tileNumber("open-incidents") == openIncidents().size() && openIncidents().size() >= 1);
    long critical = openIncidents().stream().filter(i -> i.get("severity").asText().equals("critical")).count();
    assertTrue(critical >= 1, "browser-s2's jump of 28");
    wait.until(d -> !seriesValues("chart-incidents", "critical").isEmpty());
    List<Double> criticalDrawn = seriesValues("chart-incidents", "critical");
    assertEquals((double) critical, criticalDrawn.get(criticalDrawn.size() - 1));
    screenshot("dashboard-overview.png");

    // Incidents: the open ones as the API lists them, and a transition as it happens.
    browser.findElement(By.cssSelector("nav button[data-view=incidents]")).click();
    wait.until(ExpectedConditions.textToBe(By.id("transition-feed-status"), "live"));
    post(reading("browser-s3", T0, 20.0) + reading("browser-s3", T0 + 1_000, 27.0)); // |Δ| 7: a warning
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#transition-feed li.transition"), "browser-s3"));
    assertTrue(browser.findElement(By.cssSelector("#transition-feed li.transition")).getText().contains("opened"));
    wait.until(d -> browser.findElements(By.cssSelector("#open-incidents-table tr.incident")).size() == openIncidents().size());
    assertTrue(browser.findElement(By.id("open-incidents-table")).getText().contains("sensor/browser-s3"));
    assertEquals("none", browser.findElement(By.id("failed-status")).getText(), "no receiver, nothing failed");
    // An operator silences delta incidents of sensors for an hour, then expires it again (asked first).
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("silence-type"))).selectByVisibleText("sensor");
    browser.findElement(By.id("silence-rule")).sendKeys("delta");
    browser.findElement(By.id("silence-comment")).sendKeys("pump swap");
    browser.findElement(By.cssSelector("#silence-form button")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#silences tr.silence")));
    assertTrue(browser.findElement(By.cssSelector("#silences tr.silence")).getText().contains("entityType=sensor, rule=delta"));
    JsonNode active = JSON.readTree(get("/api/v1/silences?state=active", OPERATOR)).get("items");
    assertEquals(1, active.size());
    assertEquals("pump swap", active.get(0).get("comment").asText());
    assertEquals("delta", active.get(0).get("matchers").get("rule").asText());
    screenshot("dashboard-incidents.png");
    browser.findElement(By.cssSelector("#silences tr.silence button.expire")).click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    wait.until(ExpectedConditions.textToBe(By.id("silences-status"), "none active"));
    assertEquals("expired", JSON.readTree(get("/api/v1/silences", OPERATOR)).get("items").get(0).get("state").asText());

    browser.findElement(By.cssSelector("nav button[data-view=entity]")).click();
    browser.findElement(By.id("entity-id")).sendKeys("browser-s1");
    browser.findElement(By.cssSelector("#entity-form button")).click();
    wait.until(d -> seriesLength("window-chart", "mean") >= 2);
    String spec = browser.findElement(By.id("chart-spec")).getAttribute("value");
    JsonNode windows = JSON.readTree(get("/api/v1/entities/sensor/browser-s1/windows?limit=120&metric=temperature&spec=" + spec));
    List<Double> apiMeans = new ArrayList<>();
    windows.get("items").forEach(w -> apiMeans.add(0, w.get("mean").asDouble())); // the API lists newest first
    assertEquals(apiMeans, seriesValues("window-chart", "mean"));
    assertEquals(2, apiMeans.size(), "two closed minutes");
    assertEquals(List.of(25.0), seriesValues("window-chart", "late readings"), "the late reading is marked");
    // The late 25.0 is 4.2 standard deviations from the last minute's mean: a zscore incident, drawn as a band.
    JsonNode incidents = JSON.readTree(get("/api/v1/entities/sensor/browser-s1/incidents")).get("items");
    assertTrue(incidents.size() >= 1, incidents.toString());
    wait.until(d -> browser.findElements(By.cssSelector("#entity-incidents tr.incident")).size() == incidents.size());
    wait.until(d -> markAreas("window-chart", "incidents") == incidents.size());
    screenshot("dashboard-entity.png");

    browser.findElement(By.id("wall-mode")).click();
    assertTrue(browser.findElement(By.tagName("body")).getAttribute("class").contains("dark"));
    assertEquals(apiMeans, seriesValues("window-chart", "mean"), "drawn again in the dark theme");
    browser.manage().window().setSize(new Dimension(1366, 768));
    screenshot("dashboard-entity-wall-laptop.png");
    browser.findElement(By.id("wall-mode")).click();
    browser.manage().window().setSize(new Dimension(1920, 1080));

    // The audit view: the journal page by page, the state rebuilt as of an event of it, as the API rebuilds it.
    browser.findElement(By.id("open-audit")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("journal-status"), "events 1–"));
    // One table row per journal entry of the first page, and a "state here" per journal row.
    String firstPage = get("/api/v1/entities/sensor/browser-s1/journal?fromSeq=1&toSeq=50", AUDITOR);
    long lastSeqNr = JSON.readTree(get("/api/v1/entities/sensor/browser-s1")).get("lastSeqNr").asLong();
    assertEquals(firstPage.lines().count(), browser.findElements(By.cssSelector("#journal tr.journal-event")).size());
    assertEquals(Math.min(50, lastSeqNr), browser.findElements(By.cssSelector("#journal tr.journal-event button.state-here")).size());
    browser.findElements(By.cssSelector("#journal tr.journal-event button.state-here")).get(2).click();
    wait.until(ExpectedConditions.textToBe(By.id("asof-status"), "after event 3"));
    JsonNode asOf3 = JSON.readTree(get("/api/v1/entities/sensor/browser-s1/state?asOfSeq=3", AUDITOR));
    assertEquals(asOf3.get("readings").asLong(), tileNumber("#asof-counters .tile:nth-child(1) .value"));
    assertEquals(3, tileNumber("#asof-counters .tile:nth-child(5) .value"));
    screenshot("dashboard-audit.png");

    List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .toList();
    assertEquals(List.of(), errors.stream().map(LogEntry::getMessage).toList(), "the browser logged errors");
  }

  /** The open incidents of all entities, as the API lists them. */
  private static List<JsonNode> openIncidents() {
    try {
      List<JsonNode> items = new ArrayList<>();
      JSON.readTree(get("/api/v1/incidents?state=open&limit=1000")).get("items").forEach(items::add);
      return items;
    } catch (Exception e) {
      throw new IllegalStateException("cannot list the open incidents", e);
    }
  }

  /** How many areas a series of an ECharts chart marks. */
  private static int markAreas(String chartId, String series) {
    Object count = ((JavascriptExecutor) browser).executeScript(
        "const chart = echarts.getInstanceByDom(document.getElementById(arguments[0]));"
            + "const s = chart && chart.getOption().series.find((x) => x.name === arguments[1]);"
            + "return s && s.markArea ? s.markArea.data.length : 0;",
        chartId, series);
    return ((Number) count).intValue();
  }

  /** A number tile of the dashboard, as drawn (digits only: it is written with the locale's grouping). */
  private static long tileNumber(String idOrSelector) {
    By where = idOrSelector.startsWith("#") ? By.cssSelector(idOrSelector) : By.id(idOrSelector);
    String text = browser.findElement(where).getText().replaceAll("[^0-9]", "");
    return text.isEmpty() ? -1 : Long.parseLong(text);
  }

  /** The points of one series of an ECharts chart, as the page drew them. */
  @SuppressWarnings("unchecked")
  private static List<Object> seriesData(String chartId, String series) {
    Object data = ((JavascriptExecutor) browser).executeScript(
        "const chart = echarts.getInstanceByDom(document.getElementById(arguments[0]));"
            + "const s = chart && chart.getOption().series.find((x) => x.name === arguments[1]);"
            + "return s ? s.data : [];",
        chartId, series);
    return (List<Object>) data;
  }

  private static int seriesLength(String chartId, String series) {
    return seriesData(chartId, series).size();
  }

  /** The y values of a time series drawn as [time, value] points. */
  private static List<Double> seriesValues(String chartId, String series) {
    return seriesData(chartId, series).stream().map(p -> ((Number) ((List<?>) p).get(1)).doubleValue()).toList();
  }

  /** A metric of the node's /metrics summed over its labels. */
  private static long metricsSum(String name) {
    try {
      return Math.round(Tw1Bench.metrics(httpPort).getOrDefault(name, 0.0));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read /metrics", e);
    }
  }

  private static String get(String path) throws Exception {
    return get(path, READER);
  }

  private static String get(String path, String token) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  private static void screenshot(String name) throws Exception {
    Path shot = Path.of("target", name);
    Files.createDirectories(shot.getParent());
    Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
  }
}
