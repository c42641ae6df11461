package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tick woken by a worker's report leaves the chores (control requests, pruning, tidying, the pass
 * over every run) to the timed ticks, so that hundreds of them a second stay short; a submitted
 * request still asks for a whole tick.
 */
class TickLoopChoresTest {

  private final Clock clock = Clock.systemUTC();
  private final InMemorySchedulerStore store = new InMemorySchedulerStore();
  private final ManualLeadership leadership = new ManualLeadership(store, "node-1", clock);
  private final MetricRegistry registry = new MetricRegistry();

  /**
   * One timed tick at start, the next 10 s later (the longest interval): the others are asked for.
   */
  private final EngineSettings settings =
      EngineSettings.DEFAULT.withTickInterval(Duration.ofSeconds(10));

  private final TickLoop loop =
      new TickLoop(
          leadership,
          clock,
          settings,
          registry,
          term ->
              new TermWork(
                  term,
                  store,
                  clock,
                  settings,
                  store.localWorkers("node-1"),
                  new EngineMetrics(registry),
                  DefinitionSource.store(store)));

  @AfterEach
  void close() {
    loop.close();
  }

  /** Leader ticks finished (the tick timer closes when one ends). */
  private long ticksDone() {
    return registry.timer(dev.zkscheduler.metrics.MetricNames.TICK).getCount();
  }

  @Test
  void aReportWokenTickLeavesRequestsToTheNextWholeTick() {
    store.createJob(JobDefinition.builder("j").task("t", "record").build());
    leadership.grant();
    loop.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> ticksDone() == 1);
    Instant now = clock.instant();
    store.submitRequest(
        new ControlRequest(
            "req-1",
            ControlRequest.Kind.TRIGGER,
            "j",
            List.of(RunIds.manual(now)),
            List.of(now),
            now,
            "test"));

    loop.settleSoon();
    await().atMost(Duration.ofSeconds(10)).until(() -> ticksDone() == 2);
    assertThat(store.pendingRequests()).as("left by a report-woken tick").hasSize(1);

    loop.wakeUp();
    await().atMost(Duration.ofSeconds(10)).until(() -> store.pendingRequests().isEmpty());
    assertThat(store.runIds("j")).hasSize(1);
  }

  /**
   * The chores include run timeouts and due retries, so the timed ticks must keep coming while
   * reports keep the loop busy: a request nobody asked a tick for (submitted on another node) is
   * carried out under a flood of report-woken ticks.
   */
  @Test
  void timedTicksKeepComingWhileReportsFloodTheLoop() throws Exception {
    EngineSettings fast = EngineSettings.DEFAULT.withTickInterval(Duration.ofMillis(20));
    try (TickLoop flooded =
        new TickLoop(
            leadership,
            clock,
            fast,
            registry,
            term ->
                new TermWork(
                    term,
                    store,
                    clock,
                    fast,
                    store.localWorkers("node-1"),
                    new EngineMetrics(registry),
                    DefinitionSource.store(store)))) {
      store.createJob(JobDefinition.builder("j").task("t", "record").build());
      leadership.grant();
      flooded.start();
      java.util.concurrent.atomic.AtomicBoolean flooding =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread reports =
          new Thread(
              () -> {
                while (flooding.get()) {
                  flooded.settleSoon();
                }
              });
      reports.start();
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> ticksDone() > 50);
        Instant now = clock.instant();
        store.submitRequest(
            new ControlRequest(
                "req-2",
                ControlRequest.Kind.TRIGGER,
                "j",
                List.of(RunIds.manual(now)),
                List.of(now),
                now,
                "another node"));

        await().atMost(Duration.ofSeconds(10)).until(() -> store.pendingRequests().isEmpty());
        assertThat(store.runIds("j")).hasSize(1);
      } finally {
        flooding.set(false);
        reports.join();
      }
    }
  }

  /**
   * More fires due than a tick writes: the tick that leaves some asks for the next at once, not one
   * tick interval (10 s here) later.
   */
  @Test
  void aTickThatLeavesDueFiresIsFollowedAtOnce() {
    int jobs = settings.maxFiresPerTick() + 300;
    Instant due = clock.instant().minusSeconds(1);
    dev.zkscheduler.cluster.LeaderTerm seeding = store.newTerm("seed", clock.instant());
    for (int i = 0; i < jobs; i++) {
      String id = String.format(java.util.Locale.ROOT, "j%05d", i);
      dev.zkscheduler.job.Versioned<JobDefinition> job =
          store.createJob(
              JobDefinition.builder(id)
                  .schedule(dev.zkscheduler.schedule.Schedule.interval(Duration.ofHours(1), due))
                  .task("t", "record")
                  .build());
      // Progress a previous leader left: the next fire, already due.
      store.commit(
          seeding,
          List.of(
              new dev.zkscheduler.store.StoreOp.PutScheduleState(
                  new dev.zkscheduler.store.ScheduleState(id, null, due, 0, job.created()),
                  dev.zkscheduler.store.StoreOp.CREATE)));
    }
    leadership.grant();

    loop.start();

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> registry.meter(dev.zkscheduler.metrics.MetricNames.FIRES).getCount() == jobs);
    assertThat(registry.counter(dev.zkscheduler.metrics.MetricNames.TICKS_SATURATED).getCount())
        .isEqualTo(1);
  }
}
