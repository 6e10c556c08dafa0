package io.tidewatch.http;

import io.tidewatch.persistence.state.EntityTypeConfig;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.protocol.EntityProtocol.Command;
import io.tidewatch.protocol.Identifiers;
import io.tidewatch.sharding.TrackedEntity;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/** Turns a type and an id from a path into an entity: 404 for a type not configured, 400 for a malformed id. */
final class EntityLookup {

  private final ClusterSharding sharding;
  private final EntityTypes types;

  EntityLookup(ActorSystem<?> system, EntityTypes types) {
    this.sharding = ClusterSharding.get(system);
    this.types = types;
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

  EntityRef<Command> entity(String type, String id) {
    config(type);
    return sharding.entityRefFor(TrackedEntity.typeKey(type), requireId(id));
  }

  static ProblemException unknown(String type, String id) {
    return ProblemException.notFound("no " + type + " with id " + id + " has recorded anything");
  }
}
