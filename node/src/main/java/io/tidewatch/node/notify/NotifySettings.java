package io.tidewatch.node.notify;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import io.tidewatch.protocol.Severity;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.pekko.stream.RestartSettings;

/**
 * The {@code tidewatch.notify} block, read and checked once before the node starts: a receiver that cannot be used
 * (bad URL or secret, unknown severity, a name used twice) stops the node with a {@link ConfigException.BadValue}
 * naming the key, rather than failing the first notification hours later.
 */
public record NotifySettings(
    boolean enabled,
    String topic,
    String groupId,
    String deadLetterTopic,
    List<String> groupBy,
    Duration groupWait,
    int maxBatch,
    int parallelism,
    Duration requestTimeout,
    Retry retry,
    RestartSettings restart,
    List<Receiver> receivers,
    Alertmanager alertmanager,
    Silences silences,
    boolean inhibitWarningsUnderCritical) {

  static final String KEY = "tidewatch.notify";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Exponential backoff between attempts; {@code randomFactor} adds up to that share of the delay as jitter. */
  public record Retry(Duration minBackoff, Duration maxBackoff, int maxAttempts, double randomFactor) {}

  /**
   * What alerts sent to Alertmanager receivers carry ({@link AlertmanagerAlerts}).
   *
   * @param firingEndsAfter the {@code endsAt} of a firing alert, past its transition: Tidewatch does not re-send
   * @param apiUrl the node's API as operators reach it, for {@code generatorURL}; empty to leave that out
   */
  public record Alertmanager(Duration firingEndsAfter, String apiUrl) {
    static final Duration DEFAULT_FIRING_ENDS_AFTER = Duration.ofDays(7);
  }

  /**
   * How the notifier reads the silences.
   *
   * @param cache how long an answer of the silences entity is used: a new or expired silence takes effect within it
   * @param askTimeout how long to wait for that answer
   */
  public record Silences(Duration cache, Duration askTimeout) {}

  public NotifySettings {
    groupBy = List.copyOf(groupBy);
    receivers = List.copyOf(receivers);
  }

  /** True when the notifier has something to do. */
  public boolean active() {
    return enabled && !receivers.isEmpty();
  }

  public static NotifySettings fromConfig(Config config) {
    Config notify = config.getConfig(KEY);
    Config retry = notify.getConfig("retry");
    Config restart = notify.getConfig("restart");
    List<String> groupBy = notify.getStringList("group-by");
    for (String field : groupBy) {
      if (!IncidentGroups.FIELDS.containsKey(field)) {
        throw bad(notify, "group-by", "unknown field '" + field + "'; one of " + new TreeSet<>(IncidentGroups.FIELDS.keySet()));
      }
    }
    Retry backoff = new Retry(
        retry.getDuration("min-backoff"), retry.getDuration("max-backoff"), retry.getInt("max-attempts"),
        retry.getDouble("random-factor"));
    if (backoff.maxAttempts() < 1 || backoff.minBackoff().compareTo(backoff.maxBackoff()) > 0) {
      throw bad(notify, "retry", "needs max-attempts >= 1 and min-backoff <= max-backoff");
    }
    List<Receiver> receivers = new ArrayList<>();
    List<? extends Config> configured = notify.getConfigList("receivers");
    for (int i = 0; i < configured.size(); i++) {
      receivers.add(receiver(configured.get(i), KEY + ".receivers[" + i + "]"));
    }
    String fromEnv = notify.getString("receivers-env");
    if (!fromEnv.isBlank()) {
      List<? extends Config> more;
      try {
        more = ConfigFactory.parseString("r = " + fromEnv).getConfigList("r");
      } catch (ConfigException e) {
        throw bad(notify, "receivers-env", "not a list of receivers (TIDEWATCH_WEBHOOKS): " + e.getMessage());
      }
      for (int i = 0; i < more.size(); i++) {
        receivers.add(receiver(more.get(i), KEY + ".receivers-env[" + i + "]"));
      }
    }
    Config am = notify.getConfig("alertmanager");
    Alertmanager alertmanager = new Alertmanager(am.getDuration("firing-ends-after"), am.getString("api-url"));
    if (alertmanager.firingEndsAfter().compareTo(Duration.ofMinutes(1)) < 0) {
      throw bad(notify, "alertmanager.firing-ends-after", "must be at least 1m: Tidewatch does not re-send firing alerts");
    }
    if (!alertmanager.apiUrl().isEmpty() && !isHttpUrl(alertmanager.apiUrl())) {
      throw bad(notify, "alertmanager.api-url", "'" + alertmanager.apiUrl() + "' is not an http(s) URL with a host");
    }
    Config silenceConfig = notify.getConfig("silences");
    Silences silences = new Silences(silenceConfig.getDuration("cache"), silenceConfig.getDuration("ask-timeout"));
    if (silences.cache().isNegative() || silences.askTimeout().isNegative() || silences.askTimeout().isZero()) {
      throw bad(notify, "silences", "needs cache >= 0 and ask-timeout > 0");
    }
    Set<String> names = new HashSet<>();
    for (Receiver r : receivers) {
      if (!names.add(r.name())) {
        throw bad(notify, "receivers", "the receiver name '" + r.name() + "' is used twice");
      }
    }
    return new NotifySettings(
        notify.getBoolean("enabled"),
        notify.getString("incidents-topic"),
        notify.getString("group-id"),
        config.getString("tidewatch.ingest.dead-letter-topic"),
        groupBy,
        notify.getDuration("group-wait"),
        notify.getInt("max-batch"),
        notify.getInt("parallelism"),
        notify.getDuration("request-timeout"),
        backoff,
        RestartSettings.create(
            restart.getDuration("min-backoff"), restart.getDuration("max-backoff"), restart.getDouble("random-factor")),
        receivers,
        alertmanager,
        silences,
        notify.getBoolean("inhibit-warnings-under-critical"));
  }

  /** One receiver; {@code key} is its place in the configuration, for the error. */
  private static Receiver receiver(Config c, String key) {
    Receiver.Kind kind = kind(c, key);
    String name = required(c, key, "name");
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException.BadValue(c.origin(), key + ".name", "'" + name + "' is not 1-64 of [A-Za-z0-9_-]");
    }
    String url = required(c, key, "url");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ConfigException.BadValue(origin(c, "url"), key + ".url", "'" + url + "' is not a URL: " + e.getMessage());
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new ConfigException.BadValue(origin(c, "url"), key + ".url", "'" + url + "' is not an http(s) URL with a host");
    }
    WebhookSigner signer = null;
    if (kind == Receiver.Kind.WEBHOOK) {
      try {
        signer = WebhookSigner.fromSecret(required(c, key, "secret"));
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(origin(c, "secret"), key + ".secret", e.getMessage()); // never the secret
      }
    } else if (c.hasPath("secret")) { // better refused than believed to be signing
      throw new ConfigException.BadValue(origin(c, "secret"), key + ".secret",
          "an alertmanager receiver takes no secret: Alertmanager's alerts API is not signed");
    }
    Set<Severity> severities = new HashSet<>();
    for (String s : list(c, "severities")) {
      try {
        severities.add(Severity.of(s));
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(origin(c, "severities"), key + ".severities", e.getMessage());
      }
    }
    return new Receiver(
        name, uri, signer, Set.copyOf(list(c, "types")), Set.copyOf(list(c, "rules")), severities, kind);
  }

  /** {@code webhook} unless said otherwise. */
  private static Receiver.Kind kind(Config c, String key) {
    String kind = c.hasPath("kind") ? c.getString("kind") : Receiver.Kind.WEBHOOK.id();
    for (Receiver.Kind k : Receiver.Kind.values()) {
      if (k.id().equals(kind)) {
        return k;
      }
    }
    throw new ConfigException.BadValue(origin(c, "kind"), key + ".kind",
        "unknown receiver kind '" + kind + "' (webhook or alertmanager)");
  }

  private static boolean isHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static String required(Config c, String key, String field) {
    if (!c.hasPath(field)) {
      throw new ConfigException.BadValue(c.origin(), key + "." + field, "a receiver needs " + field);
    }
    return c.getString(field);
  }

  private static List<String> list(Config c, String field) {
    return c.hasPath(field) ? c.getStringList(field) : List.of();
  }

  private static ConfigOrigin origin(Config c, String field) {
    return c.hasPath(field) ? c.getValue(field).origin() : c.origin();
  }

  private static ConfigException.BadValue bad(Config notify, String field, String message) {
    return new ConfigException.BadValue(origin(notify, field), KEY + "." + field, message);
  }
}
