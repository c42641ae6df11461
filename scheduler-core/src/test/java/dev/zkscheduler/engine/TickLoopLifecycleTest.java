package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.cluster.LeadershipListener;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tick loop starts once and closes idempotently, like every startable part. */
class TickLoopLifecycleTest {

  /** Never leads, so a tick does nothing but count itself. */
  private static final class Follower implements Leadership {
    final AtomicInteger ticks = new AtomicInteger();

    @Override
    public Optional<LeaderTerm> currentTerm() {
      ticks.incrementAndGet();
      return Optional.empty();
    }

    @Override
    public void addListener(LeadershipListener listener) {}

    @Override
    public void endTerm(LeaderTerm term, String reason) {}
  }

  private final Follower leadership = new Follower();
  private final TickLoop loop =
      new TickLoop(
          leadership,
          Clock.systemUTC(),
          EngineSettings.DEFAULT.withTickInterval(Duration.ofMillis(10)),
          new MetricRegistry(),
          term -> {
            throw new AssertionError("a follower builds no term work");
          });

  @AfterEach
  void closeAll() {
    loop.close();
  }

  /**
   * A worker-only node never starts its loop, while its definition watch reports every job and
   * every edit: the loop must not keep them (it held 100,000 on the initial load, then grew).
   */
  @Test
  void aLoopThatNeverStartsKeepsNoDefinitionChanges() {
    for (int i = 0; i < 1_000; i++) {
      loop.definitionChanged(new TermWork.DefinitionChange("job-" + i, null));
    }

    assertThat(loop.pendingChanges()).isZero();
  }

  @Test
  void startingTwiceThrowsAndLeavesOneTimer() {
    loop.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> loop.lastTick().isPresent());

    assertThatThrownBy(loop::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("TickLoop started twice");

    // Still ticking after the refused start.
    int seen = leadership.ticks.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> leadership.ticks.get() > seen);
  }

  @Test
  void closingTwiceIsHarmlessAndAClosedLoopNeverStarts() {
    loop.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> loop.lastTick().isPresent());

    loop.close();
    loop.close();
    assertThatThrownBy(loop::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("TickLoop started after close");
  }

  @Test
  void closingBeforeStartIsHarmlessAndForbidsTheStart() {
    loop.close();
    loop.close();
    assertThatThrownBy(loop::start).isInstanceOf(IllegalStateException.class);
    assertThat(loop.lastTick()).isEmpty();
    assertThat(leadership.ticks).hasValue(0);
  }
}
