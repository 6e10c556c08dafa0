package io.tidewatch.node.notify;

import com.datastax.oss.driver.api.core.cql.Row;
import io.tidewatch.persistence.readside.CassandraReadSide;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Dead-lettered notifications in the node's keyspace (deploy's tidewatch.cql: {@code failed_notifications}, one
 * partition per month, and {@code failed_notification_months}): a page reads the months newest first and stops as
 * soon as it has enough rows.
 */
public final class CassandraFailedNotifications {

  private static final String MONTHS_KIND = "failed";

  private final CassandraSession session;
  private final String keyspace;

  CassandraFailedNotifications(CassandraSession session, String keyspace) {
    this.session = session;
    this.keyspace = keyspace;
  }

  public static CassandraFailedNotifications create(ActorSystem<?> system) {
    return new CassandraFailedNotifications(
        CassandraReadSide.session(system), system.settings().config().getString("tidewatch.cassandra.keyspace"));
  }

  /** Stores it (again: the same id overwrites), its month first so that a listing never misses the row. */
  public CompletionStage<Done> save(FailedNotification failed) {
    Notification n = failed.notification();
    return session
        .executeWrite("INSERT INTO " + keyspace + ".failed_notification_months (kind, month) VALUES (?, ?)",
            MONTHS_KIND, failed.month())
        .thenCompose(done -> session.executeWrite(
            "INSERT INTO " + keyspace + ".failed_notifications (month, id, receiver, webhook_id, group_key, "
                + "transition_ids, body, oldest_at, attempts, reason, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            failed.month(), failed.id(), n.receiver(), n.webhookId(), n.groupKey(), n.transitionIds(), n.body(),
            n.oldestAt(), failed.attempts(), failed.reason(), failed.failedAt()));
  }

  public CompletionStage<Optional<FailedNotification>> find(String id) {
    return session
        .selectOne("SELECT * FROM " + keyspace + ".failed_notifications WHERE month = ? AND id = ?",
            FailedNotification.monthOf(id), id)
        .thenApply(row -> row.map(CassandraFailedNotifications::failed));
  }

  public CompletionStage<Done> delete(String id) {
    return session.executeWrite(
        "DELETE FROM " + keyspace + ".failed_notifications WHERE month = ? AND id = ?", FailedNotification.monthOf(id), id);
  }

  /** Newest first; after {@code after} (an id) when given. */
  public CompletionStage<List<FailedNotification>> newestFirst(String after, int limit) {
    String newestMonth = after == null ? null : FailedNotification.monthOf(after);
    return session
        .selectAll("SELECT month FROM " + keyspace + ".failed_notification_months WHERE kind = ?", MONTHS_KIND)
        .thenCompose(rows -> {
          List<String> months = rows.stream().map(r -> r.getString("month"))
              .filter(m -> newestMonth == null || m.compareTo(newestMonth) <= 0)
              .toList();
          return page(months, 0, after, limit, new ArrayList<>());
        });
  }

  private CompletionStage<List<FailedNotification>> page(
      List<String> months, int index, String after, int limit, List<FailedNotification> found) {
    if (index >= months.size() || found.size() >= limit) {
      return CompletableFuture.completedFuture(found);
    }
    String month = months.get(index);
    int wanted = limit - found.size();
    CompletionStage<List<Row>> rows = after != null && month.equals(FailedNotification.monthOf(after))
        ? session.selectAll("SELECT * FROM " + keyspace + ".failed_notifications WHERE month = ? AND id < ? LIMIT ?",
            month, after, wanted)
        : session.selectAll("SELECT * FROM " + keyspace + ".failed_notifications WHERE month = ? LIMIT ?", month, wanted);
    return rows.thenCompose(list -> {
      list.forEach(row -> found.add(failed(row)));
      return page(months, index + 1, after, limit, found);
    });
  }

  private static FailedNotification failed(Row row) {
    Notification n = new Notification(
        row.getString("webhook_id"), row.getString("receiver"), row.getString("group_key"),
        row.getList("transition_ids", String.class), row.getString("body"), row.getLong("oldest_at"));
    return new FailedNotification(n, row.getInt("attempts"), row.getString("reason"), row.getLong("failed_at"));
  }
}
