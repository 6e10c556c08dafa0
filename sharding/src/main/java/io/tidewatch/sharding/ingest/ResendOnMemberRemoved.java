package io.tidewatch.sharding.ingest;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

  /** The asks not answered yet: what a removal sends again. Each leaves the set when it completes. */
  private final Set<Unanswered<?>> unanswered = ConcurrentHashMap.newKeySet();
  private final Executor afterDelay;

  /** @param afterDelay runs a copy once the regions have let go of the removed member's shards */
  ResendOnMemberRemoved(Executor afterDelay) {
    this.afterDelay = afterDelay;
  }

  /** Follows the cluster's membership from now on; copies go {@code delay} after a removal. */
  static ResendOnMemberRemoved watching(ActorSystem<?> system, Duration delay) {
    ResendOnMemberRemoved resend =
        new ResendOnMemberRemoved(CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
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

  /** A member left the cluster: each ask still unanswered goes once more. */
  void memberRemoved() {
    for (Unanswered<?> ask : unanswered) {
      ask.sendCopyLater();
    }
  }

  /**
   * Sends {@code ask}, and once more each time a member is removed while it is unanswered. Completes with the first
   * answer, or with a failure once every copy sent has failed.
   */
  <R> CompletableFuture<R> send(Supplier<CompletableFuture<R>> ask) {
    Unanswered<R> pending = new Unanswered<>(ask);
    unanswered.add(pending);
    pending.result.whenComplete((answer, failure) -> unanswered.remove(pending));
    pending.send();
    return pending.result;
  }

  /** Asks being tracked (for tests: the set must not outlive the answers). */
  int tracked() {
    return unanswered.size();
  }

  private final class Unanswered<R> {
    private final Supplier<CompletableFuture<R>> ask;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    /** Copies sent or about to be: the result fails only when none of them can still answer. */
    private final AtomicInteger outstanding = new AtomicInteger(1);

    Unanswered(Supplier<CompletableFuture<R>> ask) {
      this.ask = ask;
    }

    void sendCopyLater() {
      if (!result.isDone()) {
        outstanding.incrementAndGet();
        afterDelay.execute(this::send);
      }
    }

    void send() {
      if (result.isDone()) {
        return;
      }
      ask.get().whenComplete((answer, failure) -> {
        if (failure == null) {
          result.complete(answer);
        } else if (outstanding.decrementAndGet() == 0) {
          result.completeExceptionally(failure);
        }
      });
    }
  }
}
