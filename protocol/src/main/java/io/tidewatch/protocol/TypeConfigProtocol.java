package io.tidewatch.protocol;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * Commands, events and replies of the live configuration of one entity type (issue 19): the versions of its anomaly
 * rules and pipeline, journaled by one actor per type so that an auditor can tell which were in force for any
 * reading. Window specs are not among them: changing those would re-fold history, so they stay in the file.
 */
public interface TypeConfigProtocol {

  sealed interface Command extends CborSerializable {}

  /**
   * A node started with {@code file} as the type's configuration file says it: the first version if the type has
   * none, a new version if the file changed since the last version the file gave, nothing otherwise. Answers the
   * history.
   */
  record SyncFile(Sources file, long at, ActorRef<History> replyTo) implements Command {}

  /**
   * An operator's change: the anomaly rules or the pipeline (the part not given stays as the latest version has it).
   * Answers the history with the new version, or an error saying why the change does not compile.
   */
  record Change(Part part, String source, String by, long at, ActorRef<StatusReply<History>> replyTo)
      implements Command {}

  /** Every version, oldest first. */
  record GetHistory(ActorRef<History> replyTo) implements Command {}

  /** Which part of a type's configuration a change replaces. */
  enum Part {
    RULES,
    PIPELINE
  }

  /**
   * What one version is made of, as JSON: the {@code anomalies} array and the {@code pipeline} array, in the form
   * of the configuration file's keys of the same names (JSON is HOCON, so both are read by the same code).
   */
  record Sources(String anomalies, String pipeline) implements CborSerializable {
    public Sources with(Part part, String source) {
      return part == Part.RULES ? new Sources(source, pipeline) : new Sources(anomalies, source);
    }
  }

  /**
   * One version of a type's configuration.
   *
   * @param version 1 for the first, then one more per change
   * @param sources the rules and pipeline in force from this version on
   * @param change {@code file} (the configuration file gave it), {@code rules} or {@code pipeline} (an operator)
   * @param by who: {@code configuration file}, or the name the operator gave with the change (tokens carry none)
   * @param at processing time of the change, epoch milliseconds
   * @param file for a {@code file} version, what the file said (a file changes only the parts it changed, so an
   *     operator's change of the other part stays in {@code sources}); null for an operator's
   */
  record Version(int version, Sources sources, String change, String by, long at, Sources file)
      implements CborSerializable {
    public static final String FILE = "file";

    /** An operator's version. */
    public Version(int version, Sources sources, String change, String by, long at) {
      this(version, sources, change, by, at, null);
    }
  }

  sealed interface Event extends CborSerializable {}

  record VersionAdded(Version version) implements Event {}

  /** The versions of one type, oldest first (none before the first node started). */
  record History(String type, List<Version> versions) implements CborSerializable {
    public History {
      versions = List.copyOf(versions);
    }

    public Version latest() {
      return versions.isEmpty() ? null : versions.get(versions.size() - 1);
    }

    /** The latest version the configuration file gave: a file that differs from it is a change. */
    public Version latestFromFile() {
      for (int i = versions.size() - 1; i >= 0; i--) {
        if (Version.FILE.equals(versions.get(i).change())) {
          return versions.get(i);
        }
      }
      return null;
    }
  }
}
