package io.tidewatch.node.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Metrics;
import io.tidewatch.persistence.readside.ReadSide;
import io.tidewatch.protocol.IncidentTransition;
import io.tidewatch.protocol.SilenceProtocol.GetSilences;
import io.tidewatch.protocol.SilenceProtocol.SilenceList;
import io.tidewatch.sharding.Futures;
import io.tidewatch.sharding.SilenceEntity;
import io.tidewatch.sharding.ingest.DeadLetterPublisher;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells receivers (webhooks, Alertmanagers) about incident transitions, off the hot path: a consumer of the incidents
 * topic in its own group (one delivery per transition across the cluster), transitions grouped within group-wait
 * ({@link IncidentGroups}), each notification delivered or dead-lettered ({@link WebhookDelivery}), and only then the
 * batch's offsets committed. Transitions that a silence matches, or that inhibition mutes, are committed unsent
 * ({@link Suppression}). Notifications to one Alertmanager go one after the other, in the order consumed: it keeps
 * the last alert it was sent, so an opening retried past its own resolution would fire again; webhook receivers
 * get each transition's id and are sent to in parallel. A node that stops mid-retry leaves them uncommitted: whoever gets the partition sends
 * again, with the same {@code webhook-id}. A record that is no incident transition goes to the dead-letter topic.
 * On a failure (the broker or Cassandra gone) the stream starts again with backoff from the last commit.
 */
public final class IncidentNotifier {

  private static final Logger log = LoggerFactory.getLogger(IncidentNotifier.class);

  private final ActorSystem<?> system;
  private final NotifySettings settings;
  private final ObjectMapper mapper;
  private final IncidentGroups groups;
  private final WebhookDelivery delivery;
  private final Map<String, Receiver> receivers;
  private final CassandraFailedNotifications failed;
  private final DeadLetterPublisher deadLetters;
  private final Suppression suppression;
  private final Clock clock = Clock.systemUTC();
  /** Per Alertmanager receiver, its last notification's delivery: the next one starts when it ends. */
  private final Map<String, CompletableFuture<?>> inOrder = new ConcurrentHashMap<>();

  private IncidentNotifier(
      ActorSystem<?> system, NotifySettings settings, WebhookDelivery delivery, CassandraFailedNotifications failed,
      Suppression suppression) {
    this.system = system;
    this.settings = settings;
    this.mapper = JacksonObjectMapperProvider.get(system.classicSystem()).getOrCreate("jackson-json", Optional.empty());
    this.groups = new IncidentGroups(settings.groupBy(), settings.receivers(), mapper, new AlertmanagerAlerts(
        mapper, settings.alertmanager().firingEndsAfter(), settings.alertmanager().apiUrl()));
    this.delivery = delivery;
    this.receivers = settings.receivers().stream().collect(Collectors.toMap(Receiver::name, Function.identity()));
    this.failed = failed;
    this.suppression = suppression;
    ProducerSettings<String, byte[]> producer = ProducerSettings.create(
        system.settings().config().getConfig("tidewatch.kafka-producer"), new StringSerializer(), new ByteArraySerializer());
    this.deadLetters = new DeadLetterPublisher(new SendProducer<>(producer, system), settings.deadLetterTopic());
  }

  /**
   * What the API's notification routes stand on, and the notifier started when it has receivers (else one log line
   * saying why not). The failed list and resend work either way: dead letters outlive a receiver's removal.
   *
   * @param readSide where inhibition looks for open critical incidents
   */
  public static NotificationResend start(ActorSystem<?> system, NotifySettings settings, ReadSide readSide) {
    CassandraFailedNotifications failed = CassandraFailedNotifications.create(system);
    NotifierMetrics metrics = new NotifierMetrics(Metrics.globalRegistry, settings.receivers());
    WebhookDelivery delivery = new WebhookDelivery(
        system, HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build(), settings.requestTimeout(),
        settings.retry(), metrics, Clock.systemUTC());
    if (settings.active()) {
      log.info("Notifier: {} -> receivers {}", settings.topic(),
          settings.receivers().stream().map(r -> r.name() + "=" + r.kind().id() + ":" + r.url()).toList());
      SilenceCache silences = new SilenceCache(
          () -> Futures.plain(SilenceEntity.ref(system).<SilenceList>ask(GetSilences::new, settings.silences().askTimeout()))
              .thenApply(SilenceList::silences),
          settings.silences().cache(), Clock.systemUTC());
      Suppression suppression = new Suppression(silences, readSide, settings.inhibitWarningsUnderCritical(),
          settings.receivers(), metrics, Clock.systemUTC());
      new IncidentNotifier(system, settings, delivery, failed, suppression).run();
    } else {
      log.info("Notifier: off (tidewatch.notify.enabled = {}, receivers {})", settings.enabled(),
          settings.receivers().stream().map(Receiver::name).toList());
    }
    return new NotificationResend(failed, delivery, settings.receivers());
  }

  /** Runs until the system stops. */
  CompletionStage<Done> run() {
    ConsumerSettings<String, byte[]> consumer = ConsumerSettings.create(
            system.settings().config().getConfig("tidewatch.kafka-consumer"), new StringDeserializer(),
            new ByteArrayDeserializer())
        .withGroupId(settings.groupId());
    CommitterSettings committer = CommitterSettings.create(system.settings().config().getConfig("tidewatch.kafka-committer"));
    return RestartSource.onFailuresWithBackoff(settings.restart(), () ->
            Consumer.committableSource(consumer, Subscriptions.topics(settings.topic()))
                .groupedWithin(settings.maxBatch(), settings.groupWait())
                .mapAsync(settings.parallelism(), this::notify)
                .via(Committer.flow(committer)))
        .runWith(Sink.ignore(), system);
  }

  /** Completes with the batch's offsets once every notification is delivered or stored as failed. */
  private CompletionStage<ConsumerMessage.CommittableOffsetBatch> notify(List<CommittableMessage<String, byte[]>> batch) {
    ConsumerMessage.CommittableOffsetBatch offsets = ConsumerMessage.emptyCommittableOffsetBatch();
    List<IncidentTransition> transitions = new ArrayList<>();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (CommittableMessage<String, byte[]> message : batch) {
      offsets = offsets.updated(message.committableOffset());
      ConsumerRecord<String, byte[]> record = message.record();
      try {
        transitions.add(parse(record.value()));
      } catch (Exception e) { // not JSON, or JSON that is no incident transition
        String reason = "not an incident transition: " + e.getMessage();
        log.warn("Dead letter from {}/{}/{}: {}", record.topic(), record.partition(), record.offset(), reason);
        pending.add(deadLetters.publish(record, reason).toCompletableFuture());
      }
    }
    pending.add(suppression.toSend(transitions).thenCompose(this::send).toCompletableFuture());
    ConsumerMessage.CommittableOffsetBatch committable = offsets;
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(x -> committable);
  }

  /** Completes once every notification of these transitions is delivered or stored as failed. */
  private CompletionStage<Void> send(List<IncidentTransition> transitions) {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (Notification n : groups.notifications(transitions)) {
      pending.add(deliver(receivers.get(n.receiver()), n)
          .thenCompose(outcome -> outcome instanceof WebhookDelivery.DeadLettered dead ? deadLetter(n, dead) : done())
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
  }

  /** At once for a webhook; for an Alertmanager once its previous notification is delivered or dead-lettered. */
  private CompletionStage<WebhookDelivery.Outcome> deliver(Receiver receiver, Notification n) {
    if (receiver.kind() == Receiver.Kind.WEBHOOK) {
      return delivery.deliver(receiver, n);
    }
    CompletableFuture<WebhookDelivery.Outcome> outcome = new CompletableFuture<>();
    inOrder.compute(receiver.name(), (name, previous) -> {
      CompletableFuture<?> after = previous == null ? CompletableFuture.completedFuture(null) : previous;
      after.whenComplete((x, e) -> {
        try {
          delivery.deliver(receiver, n).whenComplete((o, failure) -> {
            if (failure != null) {
              outcome.completeExceptionally(failure);
            } else {
              outcome.complete(o);
            }
          });
        } catch (RuntimeException thrown) { // else the batch would wait for ever and the stream never restart
          outcome.completeExceptionally(thrown);
        }
      });
      return outcome;
    });
    return outcome;
  }

  private CompletionStage<Done> deadLetter(Notification n, WebhookDelivery.DeadLettered dead) {
    log.warn("Notification {} to {} dead-lettered after {} attempt(s): {}", n.webhookId(), n.receiver(), dead.attempts(),
        dead.reason());
    return failed.save(new FailedNotification(n, dead.attempts(), dead.reason(), clock.millis()));
  }

  private static CompletionStage<Done> done() {
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  private IncidentTransition parse(byte[] value) throws Exception {
    if (value == null) {
      throw new IllegalArgumentException("no value");
    }
    IncidentTransition t = mapper.readValue(value, IncidentTransition.class);
    require(t.transitionId(), "transitionId");
    require(t.transition(), "transition");
    require(t.entityType(), "entityType");
    require(t.entityId(), "entityId");
    require(t.rule(), "rule");
    require(t.severity(), "severity");
    return t;
  }

  private static void require(Object field, String name) {
    if (field == null || field.toString().isEmpty()) {
      throw new IllegalArgumentException("'" + name + "' is missing");
    }
  }
}
