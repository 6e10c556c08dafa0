package io.tidewatch.http;

import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.Identifiers;
import io.tidewatch.sharding.TrackedEntity;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Turns a type and an id from a path into an entity: 404 for a type not configured, 400 for a malformed id, and 404
 * for an entity that never recorded anything. That last rule is decided here only: an entity exists once the read
 * side lists it (with its first outputs), so asking never wakes an entity for an id no one sent readings for.
 */
final class EntityLookup {

  private final ClusterSharding sharding;
  private final EntityTypes types;
  private final ReadSide readSide;

  EntityLookup(ActorSystem<?> system, EntityTypes types, ReadSide readSide) {
    this.sharding = ClusterSharding.get(system);
    this.types = types;
    this.readSide = readSide;
  }

  EntityTypeConfig config(String type) {
    return types
        .get(type)
        .orElseThrow(() -> ProblemException.notFound("unknown entity type '" + type + "'; known types: " + types.names()));
  }

  /** The id, checked against DESIGN §2's form. */
  static String requireId(String id) {
    if (!Identifiers.isEntityId(id)) {
      throw ProblemException.badRequest("entity id must be " + Identifiers.ENTITY_ID_RULE);
    }
    return id;
  }

  /** The entity, once the read side says it exists; a failed stage with a 404 problem if it does not. */
  CompletionStage<EntityRef<Command>> known(String type, String id) {
    config(type);
    requireId(id);
    return readSide.listed(type, id).thenApply(listed -> {
      if (!listed) {
        throw ProblemException.notFound("no " + type + " with id " + id + " has recorded anything");
      }
      return sharding.entityRefFor(TrackedEntity.typeKey(type), id);
    });
  }
}
