package io.tidewatch.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * Commands, events and replies of the silences (issue 18): operators mute the notifications of incident transitions
 * that match, until a time. One journaled actor holds them all, so an auditor can replay who muted what and when.
 */
public interface SilenceProtocol {

  sealed interface Command extends CborSerializable {}

  /** Adds a silence; the same silence again (a retried request) is acknowledged without effect. */
  record CreateSilence(Silence silence, ActorRef<StatusReply<Silence>> replyTo) implements Command {}

  /** Ends a silence at {@code at} (an operator's "expire now"); an ended one is acknowledged as it is. */
  record ExpireSilence(String silenceId, long at, ActorRef<StatusReply<Silence>> replyTo) implements Command {}

  /** Every silence kept: the active ones and those ended within the retention. */
  record GetSilences(ActorRef<SilenceList> replyTo) implements Command {}

  sealed interface Event extends CborSerializable {}

  record SilenceCreated(Silence silence) implements Event {}

  record SilenceExpired(String silenceId, long at) implements Event {}

  /**
   * What a silence mutes: transitions equal to every field given (null: any). At least one is given.
   */
  record Matchers(String entityType, String entityId, String rule, Severity severity) implements CborSerializable {

    @JsonIgnore
    public boolean isEmpty() {
      return entityType == null && entityId == null && rule == null && severity == null;
    }

    public boolean matches(IncidentTransition t) {
      return (entityType == null || entityType.equals(t.entityType()))
          && (entityId == null || entityId.equals(t.entityId()))
          && (rule == null || rule.equals(t.rule()))
          && (severity == null || severity == t.severity());
    }
  }

  /**
   * One silence: it mutes what its matchers match from {@code startsAt} (its creation) until {@code endsAt}, both
   * epoch milliseconds.
   */
  record Silence(String id, Matchers matchers, long startsAt, long endsAt, String comment, String createdBy)
      implements CborSerializable {

    public static final String ACTIVE = "active";
    public static final String EXPIRED = "expired";

    public boolean activeAt(long nowMs) {
      return startsAt <= nowMs && nowMs < endsAt;
    }

    /** {@code active} or {@code expired} at {@code nowMs}. */
    public String state(long nowMs) {
      return activeAt(nowMs) ? ACTIVE : EXPIRED;
    }

    public boolean mutes(IncidentTransition t, long nowMs) {
      return activeAt(nowMs) && matchers.matches(t);
    }

    public Silence endedAt(long at) {
      return new Silence(id, matchers, startsAt, Math.max(startsAt, at), comment, createdBy);
    }
  }

  /** The silences kept, oldest first. */
  record SilenceList(List<Silence> silences) implements CborSerializable {
    public SilenceList {
      silences = List.copyOf(silences);
    }
  }
}
