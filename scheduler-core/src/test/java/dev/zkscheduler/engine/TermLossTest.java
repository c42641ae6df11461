package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a term's end does to attempts the runner holds: more attempts than task threads queue, and
 * an attempt still queued when the term ends must never start, whatever the policy, because the
 * next leader counts it lost and offers it again.
 */
class TermLossTest {

  private static final Instant T0 = Instant.parse("2026-12-01T14:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final InMemorySchedulerStore memory = new InMemorySchedulerStore();
  private final ManualLeadership leadership = new ManualLeadership(memory, "node-1", clock);
  private final MetricRegistry registry = new MetricRegistry();

  /** Every handler call, by job. */
  private final List<String> ledger = new CopyOnWriteArrayList<>();

  /** Every handler that returned, by job. */
  private final List<String> finished = new CopyOnWriteArrayList<>();

  private final CountDownLatch release = new CountDownLatch(1);

  // One thread, so that of two attempts started together one waits in the runner's queue.
  private TaskRunner runner = new TaskRunner(1, clock, registry, () -> {}, Lease.unlimited());

  private TickLoop loop;

  @AfterEach
  void closeAll() {
    release.countDown();
    if (loop != null) {
      loop.close();
    }
    runner.close(Duration.ofSeconds(5), true);
  }

  private TaskResult block(TaskContext ctx) throws InterruptedException {
    ledger.add(ctx.jobId());
    release.await();
    finished.add(ctx.jobId());
    return TaskResult.success();
  }

  /** The store the loop's terms write through: refusals and failed reads on demand. */
  private final RecordingStore store = new RecordingStore(memory);

  private TickLoop loop(EngineSettings.TermLossPolicy policy) {
    EngineSettings settings =
        EngineSettings.DEFAULT.withTickInterval(Duration.ofSeconds(10)).withOnTermLoss(policy);
    Map<String, TaskHandler> handlers = Map.of("block", this::block);
    EngineMetrics metrics = new EngineMetrics(registry);
    return new TickLoop(
        leadership,
        clock,
        settings,
        runner,
        registry,
        term ->
            new TermWork(
                term,
                store,
                clock,
                settings,
                handlers,
                runner,
                metrics,
                DefinitionSource.store(store)));
  }

  private static JobDefinition dueAtOnce(String id) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
        .task("t", "block")
        .build();
  }

  /** Only {@code first} was called, it was interrupted, and the queued attempt never started. */
  private void assertInterruptedAndQueuedNeverStarted(String first) {
    awaitQueueDrained();
    assertThat(ledger).as("handler calls").containsExactly(first);
    assertThat(finished).as("interrupted, not finished").isEmpty();
    assertThat(runner.running()).isZero();
  }

  private void tickUntilNoRunIsActive() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              loop.tickNow();
              return memory.activeRuns().isEmpty();
            });
  }

  /** A job's newest run. */
  private dev.zkscheduler.dag.Run newestRun(String jobId) {
    return memory.runs(jobId, 1).get(0).value();
  }

  /** Two attempts recorded as started: one runs, the other waits for the only thread. */
  private String leadAndStartTwo(EngineSettings.TermLossPolicy policy) {
    memory.createJob(dueAtOnce("a"));
    memory.createJob(dueAtOnce("b"));
    leadership.grant();
    loop = loop(policy);
    loop.tickNow();
    clock.set(T0.plus(Duration.ofMinutes(1)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              loop.tickNow();
              return runner.running() == 2 && ledger.size() == 1;
            });
    return ledger.get(0);
  }

  /**
   * Waits until the runner's only thread has taken everything queued before now: a probe queued
   * behind them runs only after they ran or were skipped.
   */
  private void awaitQueueDrained() {
    CountDownLatch probed = new CountDownLatch(1);
    TaskRunner.AttemptKey probe = new TaskRunner.AttemptKey("probe", "r", "t", 1);
    runner.start(
        probe,
        ctx -> {
          probed.countDown();
          return TaskResult.success();
        },
        new AttemptContext(
            "probe",
            "r",
            "t",
            1,
            T0,
            1,
            "node-1",
            Map.of(),
            T0.plus(Duration.ofDays(1)),
            Lease.unlimited()));
    await().atMost(Duration.ofSeconds(10)).until(() -> probed.getCount() == 0);
  }

  @Test
  void underFinishTheRunningAttemptFinishesAndTheQueuedOneNeverStarts() {
    String first = leadAndStartTwo(EngineSettings.TermLossPolicy.FINISH);

    leadership.revoke();
    loop.tickNow();
    release.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> finished.contains(first));
    awaitQueueDrained();
    assertThat(ledger).as("handler calls").containsExactly(first);
    assertThat(finished).containsExactly(first);
    assertThat(runner.running()).isZero();
  }

  @Test
  void underCancelTheRunningAttemptIsInterruptedAndTheQueuedOneNeverStarts() {
    String first = leadAndStartTwo(EngineSettings.TermLossPolicy.CANCEL);

    leadership.revoke();
    loop.tickNow();
    memory.newTerm("node-2", clock.instant()); // another node leads in between
    leadership.grant();
    loop.tickNow();

    assertInterruptedAndQueuedNeverStarted(first);
  }

  /**
   * Under FINISH, when another node leads in between: the running handler finishes but its outcome
   * is not recorded, and the queued one never starts; this node's later term counts both attempts
   * lost, as any other leader would.
   */
  @Test
  void underFinishAnotherNodesTermInBetweenLeavesTheOutcomeUnrecorded() {
    String first = leadAndStartTwo(EngineSettings.TermLossPolicy.FINISH);

    leadership.revoke();
    loop.tickNow();
    memory.newTerm("node-2", clock.instant()); // another node leads in between
    leadership.grant();
    loop.tickNow();
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> finished.contains(first));
    tickUntilNoRunIsActive();

    assertThat(ledger).as("handler calls").containsExactly(first);
    assertThat(finished).containsExactly(first);
    for (String job : List.of("a", "b")) {
      assertThat(newestRun(job).tasks().get("t").error()).as(job).contains("lost");
    }
  }

  /**
   * A connection blip ends the term while the session lives, and this node takes the next term
   * directly: no other leader can have offered its attempts again, so the running one is kept (not
   * interrupted, not counted lost) and the queued one starts; each handler runs once.
   */
  @Test
  void aTermOfThisNodeDirectlyFollowingKeepsItsAttempts() {
    String first = leadAndStartTwo(EngineSettings.TermLossPolicy.CANCEL);

    leadership.revoke();
    loop.tickNow();
    leadership.grant();
    loop.tickNow();
    release.countDown();

    tickUntilNoRunIsActive();
    assertThat(ledger).as("each handler once").containsExactlyInAnyOrder("a", "b");
    assertThat(ledger.get(0)).isEqualTo(first);
    assertThat(registry.counter(dev.zkscheduler.metrics.MetricNames.RETRIES).getCount()).isZero();
    assertThat(newestRun("a").state()).isEqualTo(dev.zkscheduler.dag.RunState.SUCCEEDED);
    assertThat(newestRun("b").state()).isEqualTo(dev.zkscheduler.dag.RunState.SUCCEEDED);
  }

  /**
   * The directly following term's first rebuild fails (the store unreachable for a moment): the
   * next one still knows it continues the ended term, and starts the attempt held since.
   */
  @Test
  void aFailedRebuildOfTheFollowingTermStillTakesTheAttemptsOver() {
    String first = leadAndStartTwo(EngineSettings.TermLossPolicy.CANCEL);

    leadership.revoke();
    loop.tickNow();
    leadership.grant();
    store.failActiveRuns(1);
    loop.tickNow();
    loop.tickNow();
    release.countDown();

    tickUntilNoRunIsActive();
    assertThat(ledger).as("each handler once").containsExactlyInAnyOrder("a", "b");
    assertThat(ledger.get(0)).isEqualTo(first);
    assertThat(newestRun("b").state()).isEqualTo(dev.zkscheduler.dag.RunState.SUCCEEDED);
    assertThat(newestRun("b").tasks().get("t").attempts()).isEqualTo(1);
  }

  /**
   * The write that records an outcome is refused (the tick's work is dropped and rebuilt in the
   * same term): the outcome taken from the runner is put back and recorded by the rebuilt work, not
   * counted as an attempt lost.
   */
  @Test
  void anOutcomeWhoseWriteFailedIsRecordedByTheRebuiltWork() {
    leadAndStartTwo(EngineSettings.TermLossPolicy.CANCEL);
    store.refuse(
        ops ->
            ops.stream()
                .anyMatch(
                    op ->
                        op instanceof dev.zkscheduler.store.StoreOp.UpdateRun u
                            && u.run().state().isTerminal()));
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              loop.tickNow();
              return finished.size() == 2;
            });
    loop.tickNow();
    store.refuse(ops -> false);

    tickUntilNoRunIsActive();
    for (String job : List.of("a", "b")) {
      dev.zkscheduler.dag.Run run = newestRun(job);
      assertThat(run.state()).as(job).isEqualTo(dev.zkscheduler.dag.RunState.SUCCEEDED);
      assertThat(run.tasks().get("t").attempts()).as(job).isEqualTo(1);
    }
    assertThat(ledger).containsExactlyInAnyOrder("a", "b");
  }

  /**
   * Ended term, no new one, and no ZooKeeper contact for half the session timeout (the lease): a
   * node may lead elsewhere before long, so the attempts are let go — the running one interrupted
   * under CANCEL — and the queued one never starts.
   */
  @Test
  void attemptsAreLetGoWhenTheLeaseLapsesWithoutANewTerm() {
    runner.close(Duration.ofSeconds(5), true);
    runner =
        new TaskRunner(1, clock, registry, () -> {}, Lease.lapsingAfter(Duration.ofMillis(300)));
    String first = leadAndStartTwo(EngineSettings.TermLossPolicy.CANCEL);

    leadership.revoke();
    loop.tickNow();
    assertThat(runner.running()).as("kept while the lease holds").isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !runner.lease().valid());
    loop.tickNow();

    assertInterruptedAndQueuedNeverStarted(first);
  }

  @Test
  void aQueuedAttemptIsReportedNotStartedWhenTheTermEndsUnderFinish() {
    CountDownLatch hold = new CountDownLatch(1);
    TaskHandler holding =
        ctx -> {
          ledger.add(ctx.jobId());
          hold.await();
          return TaskResult.success();
        };
    TaskRunner.AttemptKey running = new TaskRunner.AttemptKey("a", "r", "t", 1);
    TaskRunner.AttemptKey queued = new TaskRunner.AttemptKey("b", "r", "t", 1);
    runner.start(running, holding, context("a"));
    runner.start(queued, holding, context("b"));
    await().atMost(Duration.ofSeconds(10)).until(() -> ledger.size() == 1);

    List<TaskRunner.AttemptKey> notStarted = runner.abandonAll(false);
    hold.countDown();
    awaitQueueDrained();

    assertThat(notStarted).containsExactly(queued);
    assertThat(ledger).containsExactly("a");
  }

  /**
   * A graceful stop under FINISH: the running handler finishes, the queued one never starts. It
   * used to start once the thread was free, after the loop had closed: its outcome was never
   * recorded, and the next leader ran it again.
   */
  @Test
  void closingUnderFinishLetsTheRunningHandlerEndAndStartsNoQueuedOne() throws Exception {
    TaskRunner own = new TaskRunner(1, clock, registry, () -> {}, Lease.unlimited());
    CountDownLatch hold = new CountDownLatch(1);
    TaskHandler holding =
        ctx -> {
          ledger.add(ctx.jobId());
          hold.await();
          finished.add(ctx.jobId());
          return TaskResult.success();
        };
    own.start(new TaskRunner.AttemptKey("a", "r", "t", 1), holding, context("a"));
    own.start(new TaskRunner.AttemptKey("b", "r", "t", 1), holding, context("b"));
    await().atMost(Duration.ofSeconds(10)).until(() -> ledger.size() == 1);

    java.util.concurrent.CompletableFuture<Void> closed =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> own.close(Duration.ofSeconds(10), false));
    await().atMost(Duration.ofSeconds(10)).until(() -> own.running() == 0);
    hold.countDown();
    closed.get(10, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(ledger).containsExactly("a");
    assertThat(finished).containsExactly("a");
  }

  private static AttemptContext context(String jobId) {
    return new AttemptContext(
        jobId,
        "r",
        "t",
        1,
        T0,
        1,
        "node-1",
        Map.of(),
        T0.plus(Duration.ofDays(1)),
        Lease.unlimited());
  }
}
