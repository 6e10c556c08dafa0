package io.tidewatch.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidewatch.http.ingest.ReadingsPublisher.KeyedReading;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Throws random strings at every route's path and query parameters, random tokens and random bodies, and checks
 * that no request gets a 5xx and that every error is a problem document. Seeded, so a failure repeats.
 */
class ApiFuzzTest {

  private static final long SEED = 20261122L;
  private static final int CASES = 400;
  private static final String[] ROUTES = {
    "GET /entities/{type}/{id}",
    "GET /entities/{type}/{id}/windows?metric={s}&spec={s}&from={t}&to={t}&limit={n}&cursor={n}",
    "GET /entities/{type}/{id}/alerts?from={t}&to={t}&limit={n}&cursor={n}",
    "GET /entities/{type}/{id}/journal?fromSeq={n}&toSeq={n}&from={t}&to={t}",
    "GET /entities/{type}/{id}/state?asOfSeq={n}&asOf={t}",
    "GET /entities/{type}?limit={n}&after={s}",
    "GET /alerts?since={t}&limit={n}&cursor={s}",
    "POST /readings",
    "GET /stream/alerts",
    "GET /stream/entities/{type}/{id}",
    "GET /cluster",
    "GET /cluster/shards",
    "POST /cluster/members/{s}/{s}",
    "GET /{s}",
    "DELETE /entities/{type}/{id}",
  };
  private static final String[] TOKENS = {
    TestApi.READER, TestApi.WRITER, TestApi.AUDITOR, TestApi.OPERATOR, null, "", "Bearer", "x"
  };

  private static TestApi api;
  private static final List<KeyedReading> PUBLISHED = new CopyOnWriteArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    api = TestApi.start("api-fuzz-test", new ListReadSide(), PUBLISHED);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @TestFactory
  Stream<DynamicTest> noInputGivesAServerError() {
    Random random = new Random(SEED);
    return IntStream.range(0, CASES).mapToObj(i -> {
      String route = ROUTES[random.nextInt(ROUTES.length)];
      String path = fill(route.substring(route.indexOf(' ') + 1), random);
      String method = route.substring(0, route.indexOf(' '));
      String token = TOKENS[random.nextInt(TOKENS.length)];
      String body = method.equals("GET") ? null : body(random);
      return DynamicTest.dynamicTest(method + " " + path, () -> check(method, path, token, body));
    });
  }

  private void check(String method, String path, String token, String body) throws Exception {
    // One connection per case: a request the server refuses mid-body closes its connection, which must not be reused.
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.base() + "/api/v1" + path))
            .timeout(Duration.ofSeconds(20))
            .header("Connection", "close");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    // Streams answer forever: only the status and headers are read, then the body is closed.
    HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream ignored = response.body()) {
      int status = response.statusCode();
      assertTrue(status < 500, method + " " + path + " gave " + status);
      if (status >= 400) {
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), status + " " + method + " " + path.substring(0, Math.min(120, path.length())));
      }
    }
  }

  /** The template with each placeholder replaced by a plausible or hostile value, URL-encoded. */
  private static String fill(String template, Random random) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int open = template.indexOf('{', at);
      if (open < 0) {
        return out.append(template.substring(at)).toString();
      }
      int close = template.indexOf('}', open);
      out.append(template, at, open);
      String kind = template.substring(open + 1, close);
      if (random.nextInt(5) == 0) {
        out.append(encode(noise(random))); // anything at all
      } else {
        out.append(encode(switch (kind) {
          case "type" -> random.nextBoolean() ? "sensor" : "user";
          case "id" -> "fuzz-" + random.nextInt(20);
          case "n" -> String.valueOf(random.nextInt(3000) - 500);
          case "t" -> random.nextBoolean() ? String.valueOf(random.nextLong()) : "2026-11-2" + random.nextInt(10) + "T12:00:00Z";
          default -> noise(random);
        }));
      }
      at = close + 1;
    }
  }

  private static String noise(Random random) {
    String[] specials = {"", " ", "%", "..", "/", "\u0000", "😀", "'; DROP TABLE x;--", "9".repeat(40), "-1", "NaN", "1e309"};
    if (random.nextInt(3) == 0) {
      return specials[random.nextInt(specials.length)];
    }
    StringBuilder s = new StringBuilder();
    int length = random.nextInt(random.nextInt(10) == 0 ? 3000 : 40);
    for (int i = 0; i < length; i++) {
      s.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x3000)));
    }
    return s.toString();
  }

  private static String body(Random random) {
    String reading = "{\"entityType\":\"sensor\",\"entityId\":\"fuzz-1\",\"ts\":1700000000000,\"metrics\":{\"t\":1}}";
    return switch (random.nextInt(6)) {
      case 0 -> "[" + reading + "," + noise(random) + "]";
      case 1 -> reading + "\n" + noise(random);
      case 2 -> "[" + "[".repeat(random.nextInt(5000));
      case 3 -> "{\"entityType\":\"sensor\",\"entityId\":\"" + noise(random) + "\",\"ts\":" + random.nextLong() + "}";
      case 4 -> "x".repeat(random.nextInt((int) TestApi.MAX_BODY * 2));
      default -> noise(random);
    };
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
