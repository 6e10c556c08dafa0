package io.tidewatch.sharding.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * Groups elements into batches of at most {@code maxSize}, each closed by a window that starts with its first
 * element: the short live window while the consumer keeps up, the long backlog window while it is behind. Live
 * readings then wait little; a backlog comes in big batches, so each entity's ask — and journal write — carries many
 * readings, which is where catch-up throughput comes from. A backlog batch also closes once nothing arrived for a
 * live window: the backlog is consumed, and its last readings must not wait out the long window. A full batch is
 * emitted without waiting; while it cannot be, upstream is backpressured.
 */
final class BacklogBatches<T> extends GraphStage<FlowShape<T, List<T>>> {

  private static final String WINDOW = "window";
  private static final String IDLE = "idle";

  private final int maxSize;
  private final Duration liveWindow;
  private final Duration backlogWindow;
  private final BooleanSupplier behind;
  private final Inlet<T> in = Inlet.create("BacklogBatches.in");
  private final Outlet<List<T>> out = Outlet.create("BacklogBatches.out");

  /** @param behind whether the consumer is behind, asked when a batch begins */
  BacklogBatches(int maxSize, Duration liveWindow, Duration backlogWindow, BooleanSupplier behind) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be positive, was " + maxSize);
    }
    this.maxSize = maxSize;
    this.liveWindow = liveWindow;
    this.backlogWindow = backlogWindow;
    this.behind = behind;
  }

  @Override
  public FlowShape<T, List<T>> shape() {
    return FlowShape.of(in, out);
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape()) {
      private List<T> batch = new ArrayList<>();
      private boolean due; // the batch's window is over (or it is full): emit it as soon as downstream asks
      private boolean arrived; // an element came since the last idle check of a backlog batch

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            if (batch.isEmpty()) {
              if (behind.getAsBoolean()) {
                scheduleOnce(WINDOW, backlogWindow);
                scheduleWithFixedDelay(IDLE, liveWindow, liveWindow);
              } else {
                scheduleOnce(WINDOW, liveWindow);
              }
            }
            arrived = true;
            batch.add(grab(in));
            if (batch.size() >= maxSize) {
              due = true;
              emitIfDue();
            } else {
              pull(in);
            }
          }

          @Override
          public void onUpstreamFinish() {
            if (!batch.isEmpty()) {
              emit(out, batch);
            }
            complete(out); // after that last batch

          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            emitIfDue();
          }
        });
      }

      @Override
      public void preStart() {
        pull(in);
      }

      @Override
      public void onTimer(Object key) {
        if (IDLE.equals(key)) {
          if (arrived) {
            arrived = false; // still coming: the backlog window goes on
            return;
          }
          cancelTimer(IDLE);
        }
        due = true;
        emitIfDue();
      }

      private void emitIfDue() {
        if (due && !batch.isEmpty() && isAvailable(out)) {
          push(out, batch);
          batch = new ArrayList<>();
          due = false;
          cancelTimer(WINDOW);
          cancelTimer(IDLE);
          if (!hasBeenPulled(in) && !isClosed(in)) {
            pull(in); // a full batch had stopped pulling
          }
        }
      }
    };
  }
}
