package io.tidewatch.node;

import com.typesafe.config.Config;
import io.tidewatch.http.ApiRoutes;
import io.tidewatch.http.auth.ApiTokens;
import io.tidewatch.http.HttpServer;
import io.tidewatch.http.HttpSettings;
import io.tidewatch.http.ingest.KafkaReadingsPublisher;
import io.tidewatch.http.notify.FailedNotifications;
import io.tidewatch.node.notify.IncidentNotifier;
import io.tidewatch.node.notify.NotifySettings;
import io.tidewatch.persistence.output.PublishedOutputs;
import io.tidewatch.persistence.readside.CassandraReadSide;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.protocol.TypeConfigProtocol.Sources;
import io.tidewatch.protocol.ReadingParser;
import io.tidewatch.sharding.EntitySettings;
import io.tidewatch.sharding.PendingOutputs;
import io.tidewatch.sharding.StateExpirySweep;
import io.tidewatch.sharding.SilenceEntity;
import io.tidewatch.sharding.TrackedEntity;
import io.tidewatch.sharding.TypeConfigSync;
import io.tidewatch.sharding.ingest.IngestSettings;
import io.tidewatch.sharding.ingest.ReadingsIngest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One cluster member: creates the actor system and wires entities, ingest, HTTP and management. */
public final class Node {

  private static final Logger log = LoggerFactory.getLogger(Node.class);
  public static final String SYSTEM_NAME = "tidewatch";

  private Node() {}

  /**
   * Starts a node; on a failure to initialise it terminates the system and rethrows. The node's own settings are
   * read first, so that a bad one stops it before anything has started (a {@code ConfigException} naming the key).
   */
  public static ActorSystem<Void> start(Config config) {
    EntityTypes types = EntityTypes.fromConfig(config);
    ApiTokens tokens = NodeTokens.load(config);
    NotifySettings notify = NotifySettings.fromConfig(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    try {
      init(system, types, tokens, notify);
      return system;
    } catch (RuntimeException e) {
      log.error("Terminating due to initialization failure", e);
      system.terminate();
      throw e;
    }
  }

  private static final Duration TYPE_CONFIG_ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration TYPE_CONFIG_RETRY = Duration.ofSeconds(2);

  static void init(ActorSystem<Void> system, EntityTypes types, ApiTokens tokens, NotifySettings notify) {
    Config config = system.settings().config();
    NodeMetrics.prometheus(); // before anything records, so no early measurement is lost
    ClusterMetrics.bind(system, NodeMetrics.prometheus());
    boolean bootstrap = false;
    if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      if (config.getString("tidewatch.cluster.discovery").isEmpty()) {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      } else {
        bootstrap = true; // peers found by discovery form the cluster once management answers (below)
      }
    }
    CassandraReadSide readSide = CassandraReadSide.create(system);
    PublishedOutputs outputs = PublishedOutputs.create(system, readSide);
    LiveTypes live = LiveTypes.of(types);
    TypeConfigSync typeConfigs = TypeConfigSync.start(system, types, live, TYPE_CONFIG_ASK_TIMEOUT);
    TrackedEntity.init(system, live, EntitySettings.create(system), readSide, outputs);
    SilenceEntity.init(system);
    IngestSettings ingest = IngestSettings.create(system);
    ReadingParser parser = new ReadingParser(types.names(), ingest.maxFutureSkew(), System::currentTimeMillis);
    // Entities recover (TrackedEntity waits for it), are woken and are fed only once this node knows every version
    // of the types' configurations: their journals name them.
    whenSynced(system, typeConfigs, EntityTypes.fileSources(config), () -> {
      PendingOutputs.wake(system, readSide, types.names());
      StateExpirySweep.start(system, readSide, types.byName().values(), Clock.systemUTC());
      ReadingsIngest.start(system, ingest, parser, live, outputs);
    });
    FailedNotifications failedNotifications = IncidentNotifier.start(system, notify, readSide);
    HttpSettings http = HttpSettings.create(system);
    ApiRoutes.Backends backends =
        new ApiRoutes.Backends(
            types,
            tokens,
            readSide,
            KafkaReadingsPublisher.create(system),
            parser,
            NodeMetrics.prometheus()::scrape,
            failedNotifications,
            typeConfigs);
    HttpServer.start(new ApiRoutes(system, backends, http).routes(), http, system);
    PekkoManagement.get(system).start();
    if (bootstrap) {
      ClusterBootstrap.get(system).start();
    }
  }

  /**
   * Hands the types' configuration entities the file's versions and runs {@code then} once this node knows every
   * version; until the cluster has formed and the journal answers, tries again every {@link #TYPE_CONFIG_RETRY}.
   */
  private static void whenSynced(
      ActorSystem<Void> system, TypeConfigSync typeConfigs, Map<String, Sources> files, Runnable then) {
    typeConfigs.syncFile(files).whenComplete((ok, failure) -> {
      if (failure == null) {
        then.run();
      } else {
        log.info("The entity types' configuration versions are not readable yet, trying again: {}", failure.toString());
        system.scheduler().scheduleOnce(TYPE_CONFIG_RETRY, () -> whenSynced(system, typeConfigs, files, then),
            system.executionContext());
      }
    });
  }
}
