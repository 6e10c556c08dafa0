package io.tidewatch.persistence.readside;

import io.tidewatch.protocol.AlertView;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.IncidentView;
import io.tidewatch.protocol.WindowView;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the API reads without asking entities: which entities exist, every closed window, alert and incident of one
 * entity, the alerts of all of them by detection time and the incidents of all that are open. The listing, windows and alerts are written with the outputs,
 * before the readings that produced them are committed ({@code OutputSink}), so they trail the journal by the time
 * of one publish (milliseconds).
 */
public interface ReadSide {

  /** Ids of entities of {@code type} in id order, after {@code after} (exclusive; null from the start). */
  CompletionStage<List<String>> entityIds(String type, String after, int limit);

  /** True if the entity is listed: it journaled readings, and their outputs were published. */
  CompletionStage<Boolean> listed(String type, String id);

  /** The entity's closed windows (a view per metric) that match, in {@link WindowCursor#NEWEST_FIRST} order. */
  CompletionStage<List<WindowView>> windows(String type, String id, WindowFilter filter, WindowCursor after, int limit);

  /**
   * The entity's alerts with event time in [from, to) (null bounds match everything), newest event time first, then
   * alert id descending; {@code after} is the position (event time, alert id) of the previous page's last alert.
   */
  CompletionStage<List<AlertView>> entityAlerts(String type, String id, Long from, Long to, AlertCursor after, int limit);

  /** Alerts detected at or after {@code sinceMs} and before {@code before} (null: now), newest first. */
  CompletionStage<List<AlertView>> recentAlerts(long sinceMs, AlertCursor before, int limit);

  /**
   * The entity's incidents, newest opening first, in {@code state} ({@code open}, {@code resolved}; null for all),
   * after the incident {@code afterId} (the previous page's last; null from the newest).
   */
  CompletionStage<List<IncidentView>> entityIncidents(String type, String id, String state, String afterId, int limit);

  /**
   * Open incidents of all entities, newest opening first; {@code after} is the position (opening time, incident id)
   * of the previous page's last.
   */
  CompletionStage<List<IncidentView>> openIncidents(AlertCursor after, int limit);

  /**
   * Incident transitions of all entities after {@code after} (time of the transition, transition id), oldest first:
   * what a live feed has not sent yet.
   */
  CompletionStage<List<IncidentTransition>> incidentTransitionsAfter(AlertCursor after, int limit);

  /** Alerts after {@code after}, oldest first: what a live feed has not sent yet. */
  CompletionStage<List<AlertView>> alertsAfter(AlertCursor after, int limit);
}
