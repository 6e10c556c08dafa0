package io.tidewatch.node.notify;

import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.Severity;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * A receiver of {@code tidewatch.notify.receivers}: what kind it is, where to POST, how to sign (webhooks only), and
 * which transitions it wants (an empty set matches all).
 *
 * @param url the webhook's URL; for an Alertmanager its base URL, alerts go to {@link #endpoint()}
 * @param signer null for an Alertmanager, which takes unsigned alerts
 */
public record Receiver(
    String name, URI url, WebhookSigner signer, Set<String> types, Set<String> rules, Set<Severity> severities,
    Kind kind) {

  /** What a receiver is, and so what its POSTs carry. */
  public enum Kind {
    /** A signed {@code {"groupKey", "transitions"}} body (Standard Webhooks). */
    WEBHOOK,
    /** Alertmanager's postable alerts at {@code /api/v2/alerts} ({@link AlertmanagerAlerts}). */
    ALERTMANAGER;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Receiver {
    types = Set.copyOf(types);
    rules = Set.copyOf(rules);
    severities = Set.copyOf(severities);
  }

  /** A webhook receiver. */
  public Receiver(
      String name, URI url, WebhookSigner signer, Set<String> types, Set<String> rules, Set<Severity> severities) {
    this(name, url, signer, types, rules, severities, Kind.WEBHOOK);
  }

  public boolean wants(IncidentTransition t) {
    return (types.isEmpty() || types.contains(t.entityType()))
        && (rules.isEmpty() || rules.contains(t.rule()))
        && (severities.isEmpty() || severities.contains(t.severity()));
  }

  /** Where notifications are POSTed: the URL itself, or the alerts API under an Alertmanager's base URL. */
  public URI endpoint() {
    if (kind == Kind.WEBHOOK) {
      return url;
    }
    String base = url.toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/v2/alerts");
  }
}
