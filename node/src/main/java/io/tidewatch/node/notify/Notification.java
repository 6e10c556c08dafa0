package io.tidewatch.node.notify;

import java.util.List;

/**
 * One POST to one receiver: the JSON body {@code {"groupKey":..., "transitions":[...]}} and its idempotency key.
 *
 * @param webhookId {@code webhook-id}: derived from the transition ids it carries (see {@link IncidentGroups}), so the
 *     same transitions sent again, after a crash or by an operator, carry the same id
 * @param oldestAt the earliest processing time ({@code at}) of its transitions, where its latency starts
 */
public record Notification(
    String webhookId, String receiver, String groupKey, List<String> transitionIds, String body, long oldestAt) {

  public Notification {
    transitionIds = List.copyOf(transitionIds);
  }
}
