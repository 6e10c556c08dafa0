package io.tidewatch.persistence.readside;

import io.tidewatch.protocol.AlertView;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The views across entities that no single entity can answer: which entities exist, and the alerts of all of them
 * by detection time. Entities list themselves ({@link EntityIndex}) before their first event is journaled; alerts
 * come through the output projections ({@link ReadSideProjection#handler}) from the entities' tagged events, so
 * they trail the journal by the projection's delay (a few seconds).
 */
public interface ReadSide {

  /** Ids of entities of {@code type} in id order, after {@code after} (exclusive; null from the start). */
  CompletionStage<List<String>> entityIds(String type, String after, int limit);

  /** Alerts detected at or after {@code sinceMs} and before {@code before} (null: now), newest first. */
  CompletionStage<List<AlertView>> recentAlerts(long sinceMs, AlertCursor before, int limit);

  /** Alerts after {@code after}, oldest first: what a live feed has not sent yet. */
  CompletionStage<List<AlertView>> alertsAfter(AlertCursor after, int limit);
}
