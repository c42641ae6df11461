package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.job.TaskResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker that froze between being given an attempt and calling its handler must not call it on
 * waking: once its session expired the attempt was offered again under a larger fencing token
 * (found by ChaosIT's PAUSE_LEADER when leaders ran attempts: 61 calls with a lower token after a
 * higher one).
 */
class LeaseTest {

  @Test
  void aLeaseLapsesWithoutContactAndRenewsWithIt() {
    Lease lease = new Lease(Duration.ofMillis(200));
    assertThat(lease.valid()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !lease.valid());
    lease.renew(System.nanoTime());
    assertThat(lease.valid()).isTrue();
    lease.renew(System.nanoTime() - Duration.ofSeconds(10).toNanos());
    assertThat(lease.valid()).as("an older contact never shortens the lease").isTrue();
    assertThat(Lease.unlimited().valid()).isTrue();
  }

  @Test
  void noHandlerIsCalledOnceTheLeaseHasLapsed() {
    Lease lease = new Lease(Duration.ofMillis(100));
    TaskRunner runner = new TaskRunner(1, Clock.systemUTC(), new MetricRegistry());
    AtomicInteger calls = new AtomicInteger();
    await().atMost(Duration.ofSeconds(5)).until(() -> !lease.valid());

    List<TaskRunner.Outcome> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
    start(runner, lease, 1, calls, outcomes);
    await().atMost(Duration.ofSeconds(5)).until(() -> !outcomes.isEmpty());
    assertThat(calls.get()).isZero();
    assertThat(outcomes.get(0).succeeded()).isFalse();
    assertThat(outcomes.get(0).error()).contains("not started");

    lease.renew(System.nanoTime());
    start(runner, lease, 2, calls, outcomes);
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
    runner.close(Duration.ofSeconds(1));
  }

  private static void start(
      TaskRunner runner,
      Lease lease,
      int attempt,
      AtomicInteger calls,
      List<TaskRunner.Outcome> outcomes) {
    runner.start(
        new TaskRunner.AttemptKey("j", "r", "t", attempt),
        ctx -> {
          calls.incrementAndGet();
          return TaskResult.success();
        },
        new AttemptContext(
            "j",
            "r",
            "t",
            attempt,
            Instant.EPOCH,
            7,
            "n1",
            Map.of(),
            Instant.now().plusSeconds(60),
            lease),
        outcomes::add);
  }
}
