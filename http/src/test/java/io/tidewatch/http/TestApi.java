package io.tidewatch.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tidewatch.http.auth.ApiTokens;
import io.tidewatch.http.ingest.ReadingsPublisher.KeyedReading;
import io.tidewatch.http.notify.FailedNotifications;
import io.tidewatch.persistence.state.EntityTypes;
import io.tidewatch.persistence.state.LiveTypes;
import io.tidewatch.sharding.TypeConfigSync;
import io.tidewatch.protocol.ReadingParser;
import io.tidewatch.sharding.EntitySettings;
import io.tidewatch.sharding.SilenceEntity;
import io.tidewatch.sharding.TrackedEntity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * The whole API over real HTTP on a one-node cluster with the in-memory journal, one token per role; posted
 * readings are collected in a list and the read side is {@link ListReadSide}.
 */
record TestApi(ActorSystem<Void> system, String base) implements AutoCloseable {

  static final String READER = "reader-token-0123456789";
  static final String WRITER = "writer-token-0123456789";
  static final String AUDITOR = "auditor-token-0123456789";
  static final String OPERATOR = "operator-token-0123456789";
  static final long MAX_BODY = 64 * 1024;

  static TestApi start(String name, ListReadSide readSide, List<KeyedReading> published) {
    return start(name, readSide, published, FailedNotifications.none());
  }

  /** @param failed what the notification routes list and resend */
  static TestApi start(
      String name, ListReadSide readSide, List<KeyedReading> published, FailedNotifications failed) {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                pekko.loglevel = WARNING
                tidewatch.query.read-journal = "pekko.persistence.testkit.query"
                """)
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.parseResources("serialization.conf"))
            .withFallback(ConfigFactory.parseResources("entities.conf"))
            .withFallback(ConfigFactory.parseResources("http.conf"))
            .withFallback(ConfigFactory.parseResources("kafka.conf"))
            .withFallback(ConfigFactory.parseResources("persistence.conf"))
            .withFallback(ConfigFactory.load())
            .resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    EntityTypes types = EntityTypes.fromConfig(config);
    LiveTypes live = LiveTypes.of(types);
    TypeConfigSync typeConfigs = TypeConfigSync.start(system, types, live, Duration.ofSeconds(10));
    TrackedEntity.init(system, live, new EntitySettings(Duration.ofMinutes(2)), readSide, readSide);
    typeConfigs.syncFile(EntityTypes.fileSources(config)).toCompletableFuture().join();
    SilenceEntity.init(system);
    HttpSettings settings =
        new HttpSettings(
            "127.0.0.1", 0, Duration.ofSeconds(3), MAX_BODY, Duration.ofMillis(100), Duration.ofSeconds(1),
            Duration.ofSeconds(30));
    ApiRoutes.Backends backends =
        new ApiRoutes.Backends(
            types,
            ApiTokens.parse(READER + "=reader," + WRITER + "=writer," + AUDITOR + "=auditor," + OPERATOR + "=operator"),
            readSide,
            readings -> {
              published.addAll(readings);
              return CompletableFuture.completedFuture(Done.getInstance());
            },
            new ReadingParser(types.names()),
            () -> "# no registry in route tests\n",
            failed,
            typeConfigs);
    ServerBinding binding =
        Http.get(system)
            .newServerAt("127.0.0.1", 0)
            .bind(new ApiRoutes(system, backends, settings).routes())
            .toCompletableFuture()
            .join();
    return new TestApi(system, "http://127.0.0.1:" + binding.localAddress().getPort());
  }

  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
