package io.tidewatch.node.notify;

import io.tidewatch.http.notify.FailedNotifications.Failed;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * A notification the notifier gave up on, as stored. Its {@link #id} is made of what it carries (oldest transition
 * time, receiver, webhook-id), not of when it failed: dead-lettered again after a crash, it is the same row.
 */
public record FailedNotification(Notification notification, int attempts, String reason, long failedAt) {

  static final Pattern ID = Pattern.compile("([0-9]{13})-[A-Za-z0-9_-]{1,64}-tw_[0-9a-f]{32}");
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM").withZone(ZoneOffset.UTC);

  public String id() {
    return String.format("%013d-%s-%s", notification.oldestAt(), notification.receiver(), notification.webhookId());
  }

  /** The partition: UTC month of the oldest transition. */
  public String month() {
    return month(notification.oldestAt());
  }

  public Failed view() {
    return new Failed(id(), notification.receiver(), notification.webhookId(), notification.groupKey(),
        notification.transitionIds(), attempts, reason, failedAt);
  }

  static boolean isId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** The month of an id; the id must pass {@link #isId}. */
  static String monthOf(String id) {
    return month(Long.parseLong(id.substring(0, 13)));
  }

  static String month(long epochMs) {
    return MONTH.format(Instant.ofEpochMilli(epochMs));
  }
}
