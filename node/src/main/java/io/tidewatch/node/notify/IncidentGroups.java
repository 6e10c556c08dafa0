package io.tidewatch.node.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.protocol.IncidentTransition;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns the transitions consumed within one group-wait into notifications, like Alertmanager's grouping: one group
 * per value of the {@code group-by} fields, and per group one POST to each receiver that wants any of its transitions:
 * a webhook's body, or an Alertmanager's alerts ({@link AlertmanagerAlerts}).
 *
 * <p>A notification's {@code webhook-id} is a hash of the sorted ids of the transitions it carries. Consumed again
 * after a crash, the same records mostly regroup the same way and repeat the id; when they do not (a group-wait cut
 * elsewhere), every transition in the body still carries its own {@code transitionId}, so a receiver that drops
 * transitions it has seen loses nothing and counts nothing twice.
 */
public final class IncidentGroups {

  /** The fields a group can be keyed by. */
  public static final Map<String, Function<IncidentTransition, String>> FIELDS = fields();

  private record Body(String groupKey, List<IncidentTransition> transitions) {}

  private final List<String> groupBy;
  private final List<Receiver> receivers;
  private final ObjectMapper mapper;
  private final AlertmanagerAlerts alertmanager;

  public IncidentGroups(List<String> groupBy, List<Receiver> receivers, ObjectMapper mapper) {
    this(groupBy, receivers, mapper, new AlertmanagerAlerts(mapper, NotifySettings.Alertmanager.DEFAULT_FIRING_ENDS_AFTER, ""));
  }

  IncidentGroups(List<String> groupBy, List<Receiver> receivers, ObjectMapper mapper, AlertmanagerAlerts alertmanager) {
    this.groupBy = List.copyOf(groupBy);
    this.receivers = List.copyOf(receivers);
    this.mapper = mapper;
    this.alertmanager = alertmanager;
  }

  /** In the order the groups were first seen; a transition repeated within the batch goes out once. */
  public List<Notification> notifications(List<IncidentTransition> batch) {
    Map<String, Map<String, IncidentTransition>> groups = new LinkedHashMap<>();
    for (IncidentTransition t : batch) {
      groups.computeIfAbsent(groupKey(t), k -> new LinkedHashMap<>()).putIfAbsent(t.transitionId(), t);
    }
    List<Notification> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, IncidentTransition>> group : groups.entrySet()) {
      for (Receiver receiver : receivers) {
        List<IncidentTransition> wanted = group.getValue().values().stream().filter(receiver::wants).toList();
        if (!wanted.isEmpty()) {
          out.add(notification(receiver, group.getKey(), wanted));
        }
      }
    }
    return out;
  }

  /** {@code entityType=sensor,rule=delta} for the default group-by. */
  String groupKey(IncidentTransition t) {
    return groupBy.stream().map(f -> f + "=" + FIELDS.get(f).apply(t)).collect(Collectors.joining(","));
  }

  private Notification notification(Receiver receiver, String groupKey, List<IncidentTransition> transitions) {
    List<String> ids = transitions.stream().map(IncidentTransition::transitionId).toList();
    try {
      String body = receiver.kind() == Receiver.Kind.ALERTMANAGER
          ? alertmanager.body(transitions)
          : mapper.writeValueAsString(new Body(groupKey, transitions));
      long oldestAt = transitions.stream().mapToLong(IncidentTransition::at).min().orElseThrow();
      return new Notification(webhookId(ids), receiver.name(), groupKey, ids, body, oldestAt);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an incident transition is always JSON", e);
    }
  }

  /** {@code tw_} and 32 hex digits of SHA-256 over the sorted transition ids: the same set, the same id. */
  static String webhookId(List<String> transitionIds) {
    try {
      String joined = transitionIds.stream().sorted().collect(Collectors.joining("\n"));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.UTF_8));
      return "tw_" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static Map<String, Function<IncidentTransition, String>> fields() {
    Map<String, Function<IncidentTransition, String>> fields = new LinkedHashMap<>();
    fields.put("entityType", IncidentTransition::entityType);
    fields.put("entityId", IncidentTransition::entityId);
    fields.put("rule", IncidentTransition::rule);
    fields.put("metric", IncidentTransition::metric);
    fields.put("severity", t -> t.severity() == null ? null : t.severity().id());
    fields.put("transition", IncidentTransition::transition);
    fields.put("incidentId", IncidentTransition::incidentId);
    return Map.copyOf(fields);
  }
}
