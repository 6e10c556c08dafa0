package io.tidewatch.sharding.ingest;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Asks that outlive a crashed member. An ask to an entity whose shard lived on a member that crashed is lost
 * without a word; waiting for its timeout (sized for a cold entity's recovery) and then restarting the consumer
 * (a consumer-group rebalance that moves partitions and shards once more) would keep a failover going for a
 * minute. So an ask still unanswered when a member is removed from the cluster is sent once more, a moment later
 * — once the shard regions have dropped the removed member's shards, so the copy goes to the shard's new home.
 * The first answer counts; the entity acknowledges the other as a duplicate. Order holds: the copy is sent before
 * the ask completes, and an entity's next ask waits for that ({@link OrderedAsks}).
 */
final class ResendOnMemberRemoved {

  private final AtomicReference<CompletableFuture<Void>> nextRemoval = new AtomicReference<>(new CompletableFuture<>());
  private final Executor afterDelay;

  ResendOnMemberRemoved(Duration delay) {
    this.afterDelay = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Follows the cluster's membership from now on. */
  static ResendOnMemberRemoved watching(ActorSystem<?> system, Duration delay) {
    ResendOnMemberRemoved resend = new ResendOnMemberRemoved(delay);
    system.systemActorOf(resend.watcher(), "tidewatch-ingest-member-removals", Props.empty());
    return resend;
  }

  private Behavior<ClusterEvent.MemberRemoved> watcher() {
    return Behaviors.setup(ctx -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf(), ClusterEvent.MemberRemoved.class));
      return Behaviors.receiveMessage(removed -> {
        memberRemoved();
        return Behaviors.same();
      });
    });
  }

  /** A member left the cluster: asks sent before now and still unanswered go again. */
  void memberRemoved() {
    nextRemoval.getAndSet(new CompletableFuture<>()).complete(null);
  }

  /**
   * Sends {@code ask}, and once more (after the delay) each time a member is removed while it is unanswered. Completes
   * with the first answer, or with a failure once every copy sent has failed.
   */
  <R> CompletableFuture<R> send(Supplier<CompletableFuture<R>> ask) {
    CompletableFuture<R> result = new CompletableFuture<>();
    attempt(ask, result, new AtomicInteger(1));
    return result;
  }

  private <R> void attempt(Supplier<CompletableFuture<R>> ask, CompletableFuture<R> result, AtomicInteger outstanding) {
    if (result.isDone()) {
      return;
    }
    // The newest copy alone watches for the next removal: one more copy per removal, however many were sent.
    CompletableFuture<Void> removal = nextRemoval.get(); // a removal after this point may have taken this copy
    CompletableFuture<R> reply = ask.get();
    removal.thenRun(() -> {
      if (!result.isDone()) {
        outstanding.incrementAndGet();
        afterDelay.execute(() -> attempt(ask, result, outstanding));
      }
    });
    reply.whenComplete((answer, failure) -> {
      if (failure == null) {
        result.complete(answer);
      } else if (outstanding.decrementAndGet() == 0) {
        result.completeExceptionally(failure);
      }
    });
  }
}
