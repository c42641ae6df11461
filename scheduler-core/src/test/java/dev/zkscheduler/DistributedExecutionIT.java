package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.engine.EngineSettings;
import dev.zkscheduler.engine.NodeRoles;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.testing.CallLedger;
import dev.zkscheduler.testing.CallLedger.Call;
import dev.zkscheduler.testing.TcpProxy;
import dev.zkscheduler.testing.ZkClients;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader decides, every member executes: on a three-server ZooKeeper ensemble, each promise of
 * distributed execution is checked against an independent ledger of handler calls (job, run, task,
 * attempt, member, fencing token), never against the scheduler's own account alone.
 *
 * <p>Members are cut off abruptly through a {@link TcpProxy} (the network goes silent, the process
 * lives on, nothing is deleted by the member itself): its session expires on the server exactly as
 * after a crash, while its handlers are still running, which is the hard case for fencing.
 */
class DistributedExecutionIT {

  private static final Logger log = LoggerFactory.getLogger(DistributedExecutionIT.class);

  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  /** One ensemble for the class: forming a quorum takes longer than most of the tests. */
  private static TestingCluster ensemble;

  @BeforeAll
  static void startEnsemble() throws Exception {
    ensemble = new TestingCluster(3);
    ensemble.start();
  }

  @AfterAll
  static void stopEnsemble() throws Exception {
    if (ensemble != null) {
      ensemble.close();
    }
  }

  private static final EngineSettings SETTINGS =
      EngineSettings.DEFAULT
          .withTickInterval(Duration.ofMillis(50))
          .withTaskThreads(4)
          .withRetainedRuns(500)
          .withShutdownTimeout(Duration.ofSeconds(2));

  /**
   * 300 attempts of 200 ms on three members of four threads each spread over all of them, each
   * called once. Catches: a leader that runs attempts itself instead of assigning them (one member
   * does all), a worker choice that ignores free slots, an assignment started twice (a cache that
   * replays creates), and a report the leader never folds (a run left RUNNING or timed out).
   */
  @Test
  void attemptsSpreadOverEveryMemberAndRunOnce() throws Exception {
    CallLedger ledger = new CallLedger();
    TaskHandler work =
        ctx -> {
          ctx.awaitCancellation(Duration.ofMillis(200));
          return TaskResult.success();
        };
    try (Fixture f = new Fixture()) {
      List<Scheduler> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String id = "node-" + i;
        nodes.add(
            f.start(
                f.node(id, f.ensemble.getConnectString(), NodeRoles.BOTH)
                    .handler("work", ledger.recording(id, work))));
      }
      f.awaitWorkers(nodes.get(0), 3);
      int jobs = 30;
      int triggersPerJob = 10;
      for (int j = 0; j < jobs; j++) {
        nodes.get(j % 3).createJob(manualJob(job(j), "work", RetryPolicy.NONE));
      }
      for (int j = 0; j < jobs; j++) {
        awaitKnown(nodes, job(j));
      }
      Map<String, List<String>> triggered = new ConcurrentHashMap<>();
      for (int t = 0; t < triggersPerJob; t++) {
        for (int j = 0; j < jobs; j++) {
          String runId = nodes.get((t + j) % 3).trigger(job(j));
          triggered.computeIfAbsent(job(j), k -> new ArrayList<>()).add(runId);
        }
      }
      long t0 = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> terminalRuns(nodes.get(1), triggered) == jobs * triggersPerJob);
      log.info(
          "{} attempts done in {} ms, per member {}",
          ledger.size(),
          (System.nanoTime() - t0) / 1_000_000,
          ledger.perMember());

      assertThat(ledger.repeated(Call::attemptKey)).as("attempts called twice").isEmpty();
      assertThat(ledger.size()).isEqualTo(jobs * triggersPerJob);
      assertThat(ledger.calls()).allMatch(c -> c.attempt() == 1, "first attempts only");
      for (int i = 0; i < 3; i++) {
        assertThat(ledger.perMember().getOrDefault("node-" + i, 0L))
            .as("attempts run on node-%d", i)
            .isGreaterThanOrEqualTo(jobs * triggersPerJob / 5);
      }
      for (var e : triggered.entrySet()) {
        for (String runId : e.getValue()) {
          Run run = nodes.get(2).run(e.getKey(), runId).orElseThrow();
          assertThat(run.state()).as("run %s/%s", e.getKey(), runId).isEqualTo(RunState.SUCCEEDED);
          // The run names the member that ran it, and the ledger agrees.
          String member = memberOf(run.tasks().get("t"));
          assertThat(ledger.where(c -> c.runId().equals(runId) && c.jobId().equals(e.getKey())))
              .singleElement()
              .extracting(Call::member)
              .isEqualTo(member);
        }
      }
    }
  }

  /**
   * A member holding attempts goes silent past its session timeout. Its attempts are lost and
   * re-offered exactly once, to a live member, with a larger fencing token, and only after the lost
   * member's handler has seen its lease lapse; with no attempt left the run fails naming the
   * member. Catches: a leader that counts an attempt lost before the session is over (or never), a
   * re-offer to the dead worker, a token that does not grow, a lease that outlives the session (two
   * handlers of one task at once), a retry counted twice.
   */
  @Test
  void attemptsOfALostMemberAreOfferedAgainElsewhereWithALargerToken() throws Exception {
    CallLedger ledger = new CallLedger();
    Map<String, Long> victimStopped = new ConcurrentHashMap<>();
    TaskHandler blockUntilCancelled =
        ctx -> {
          boolean cancelled = ctx.awaitCancellation(Duration.ofSeconds(60));
          victimStopped.put(ctx.jobId(), System.nanoTime());
          return cancelled ? TaskResult.failure("cancelled") : TaskResult.success();
        };
    try (Fixture f = new Fixture()) {
      // node-0 leads and cannot run the task type: the first attempts must land on node-1.
      Scheduler leader =
          f.start(
              f.node("node-0", f.proxies.get(0).connectString(), NodeRoles.BOTH)
                  .handler("other", ctx -> TaskResult.success()));
      await().atMost(Duration.ofSeconds(20)).until(leader::isLeader);
      Scheduler victim =
          f.start(
              f.node("node-1", f.proxies.get(1).connectString(), NodeRoles.BOTH)
                  .handler("block", ledger.recording("node-1", blockUntilCancelled)));
      // Defined on a member that knows the task type (a definition is checked against its node's
      // handlers).
      victim.createJob(
          manualJob(
              "retried",
              "block",
              new RetryPolicy(2, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 0.0)));
      victim.createJob(manualJob("once", "block", RetryPolicy.NONE));
      String retriedRun = victim.trigger("retried");
      String onceRun = victim.trigger("once");
      await().atMost(Duration.ofSeconds(20)).until(() -> ledger.size() == 2);
      assertThat(ledger.calls()).allMatch(c -> c.member().equals("node-1") && c.attempt() == 1);

      f.start(
          f.node("node-2", f.proxies.get(2).connectString(), NodeRoles.BOTH)
              .handler("block", ledger.recording("node-2", ctx -> TaskResult.success())));
      f.awaitWorkers(leader, 3);

      long cutAt = System.nanoTime();
      f.proxies.get(1).blackhole();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> terminal(leader, "retried", retriedRun) && terminal(leader, "once", onceRun));
      log.info(
          "attempts settled {} ms after node-1 went silent; ledger {}",
          (System.nanoTime() - cutAt) / 1_000_000,
          ledger.calls());

      Run retried = leader.run("retried", retriedRun).orElseThrow();
      assertThat(retried.state()).isEqualTo(RunState.SUCCEEDED);
      List<Call> retriedCalls = ledger.where(c -> c.jobId().equals("retried"));
      assertThat(retriedCalls).extracting(Call::attempt).containsExactly(1, 2);
      Call first = retriedCalls.get(0);
      Call second = retriedCalls.get(1);
      assertThat(first.member()).isEqualTo("node-1");
      assertThat(second.member()).isEqualTo("node-2");
      assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
      // The lost member's handler was told to stop (its lease lapsed) before the re-offer ran.
      await().atMost(Duration.ofSeconds(10)).until(() -> victimStopped.containsKey("retried"));
      assertThat(victimStopped.get("retried")).isLessThan(second.startedNanos());

      Run once = leader.run("once", onceRun).orElseThrow();
      assertThat(once.state()).isEqualTo(RunState.FAILED);
      assertThat(once.tasks().get("t").error()).contains("node-1");
      assertThat(ledger.where(c -> c.jobId().equals("once")))
          .singleElement()
          .extracting(Call::member)
          .isEqualTo("node-1");
    }
  }

  /**
   * The leader goes silent while other members run attempts. The attempts live on their workers'
   * sessions, not on the leader's term: the next leader adopts them, and folds reports written
   * while nobody led as well as those written after. Catches: a new leader that re-offers what it
   * should adopt (an attempt 2, or a second call), reports lost in the handover (runs left RUNNING
   * or timed out), assignments taken back on a term change.
   */
  @Test
  void attemptsOutliveTheLeaderThatAssignedThem() throws Exception {
    CallLedger ledger = new CallLedger();
    CountDownLatch releaseEarly = new CountDownLatch(1);
    CountDownLatch releaseLate = new CountDownLatch(1);
    Map<String, Boolean> sawCancel = new ConcurrentHashMap<>();
    int jobs = 6;
    TaskHandler block =
        ctx -> {
          int j = Integer.parseInt(ctx.jobId().substring(4));
          CountDownLatch release = j % 2 == 0 ? releaseEarly : releaseLate;
          if (!release.await(60, TimeUnit.SECONDS)) {
            return TaskResult.failure("never released");
          }
          sawCancel.put(ctx.jobId(), ctx.isCancelled());
          return TaskResult.success();
        };
    try (Fixture f = new Fixture()) {
      // node-0 leads and cannot run the task type: every attempt runs on node-1 or node-2.
      Scheduler first =
          f.start(
              f.node("node-0", f.proxies.get(0).connectString(), NodeRoles.BOTH)
                  .handler("other", ctx -> TaskResult.success()));
      await().atMost(Duration.ofSeconds(20)).until(first::isLeader);
      List<Scheduler> others = new ArrayList<>();
      for (int i = 1; i < 3; i++) {
        String id = "node-" + i;
        others.add(
            f.start(
                f.node(id, f.proxies.get(i).connectString(), NodeRoles.BOTH)
                    .handler("block", ledger.recording(id, block))));
      }
      f.awaitWorkers(first, 3);
      // Retries allowed: an attempt wrongly counted lost would show as an attempt 2.
      RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 0);
      Map<String, List<String>> runs = new ConcurrentHashMap<>();
      for (int j = 0; j < jobs; j++) {
        // Triggered where it was defined: a member on another server may not see the job yet.
        others.get(0).createJob(manualJob(job(j), "block", retry));
        runs.put(job(j), List.of(others.get(0).trigger(job(j))));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> ledger.size() == jobs);
      assertThat(ledger.perMember().keySet()).containsExactlyInAnyOrder("node-1", "node-2");

      f.proxies.get(0).blackhole();
      // Half the attempts end while nobody leads yet, half once the next leader has taken over.
      releaseEarly.countDown();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> others.stream().anyMatch(Scheduler::isLeader));
      releaseLate.countDown();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> terminalRuns(others.get(0), runs) == jobs);

      assertThat(ledger.size()).isEqualTo(jobs);
      assertThat(ledger.repeated(Call::task)).as("tasks called twice").isEmpty();
      assertThat(ledger.calls()).allMatch(c -> c.attempt() == 1, "no attempt re-offered");
      assertThat(sawCancel).as("handlers told to stop").doesNotContainValue(true);
      for (var e : runs.entrySet()) {
        Run run = others.get(0).run(e.getKey(), e.getValue().get(0)).orElseThrow();
        assertThat(run.state()).as("run of %s: %s", e.getKey(), run).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.tasks().get("t").attempts()).isEqualTo(1);
      }
    }
  }

  /**
   * Every ZooKeeper server is stopped and started again in turn while jobs fire every second on
   * three members connected to the whole ensemble. A session survives its server going away (the
   * client moves to another one), so no attempt may be lost, failed or repeated. Catches: a worker
   * that treats a reconnect as a new session (re-registering, its attempts counted lost and run
   * again), a report given up on a connection loss, a leader that counts a disconnected-but-alive
   * worker gone, an assignment cache that replays creates on reconnect.
   */
  @Test
  void rollingRestartOfEveryServerLosesAndRepeatsNothing() throws Exception {
    CallLedger ledger = new CallLedger();
    TaskHandler work =
        ctx -> {
          ctx.awaitCancellation(Duration.ofMillis(100));
          return TaskResult.success();
        };
    int jobs = 6;
    try (Fixture f = new Fixture()) {
      List<Scheduler> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String id = "node-" + i;
        nodes.add(
            f.start(
                f.node(id, f.ensemble.getConnectString(), NodeRoles.BOTH)
                    .sessionTimeout(Duration.ofSeconds(10))
                    .handler("work", ledger.recording(id, work))));
      }
      f.awaitWorkers(nodes.get(0), 3);
      Instant anchor = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
      for (int j = 0; j < jobs; j++) {
        nodes
            .get(j % 3)
            .createJob(
                JobDefinition.builder(job(j))
                    .schedule(Schedule.interval(Duration.ofSeconds(1), anchor))
                    .concurrencyPolicy(ConcurrencyPolicy.ALLOW)
                    .retry(RetryPolicy.NONE)
                    .task("t", "work")
                    .build());
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> ledger.size() >= jobs * 2);
      CuratorFramework probe = ZkClients.started(f.ensemble.getConnectString(), "probe");
      try {
        for (InstanceSpec server : f.servers) {
          long t0 = System.nanoTime();
          f.ensemble.killServer(server);
          awaitWritable(probe);
          int before = ledger.size();
          await().atMost(Duration.ofSeconds(30)).until(() -> ledger.size() >= before + jobs * 2);
          f.ensemble.restartServer(server);
          awaitServing(server);
          int after = ledger.size();
          await().atMost(Duration.ofSeconds(30)).until(() -> ledger.size() >= after + jobs * 2);
          log.info(
              "server {} restarted; cluster worked on for {} ms",
              server.getConnectString(),
              (System.nanoTime() - t0) / 1_000_000);
        }
      } finally {
        probe.close();
      }
      for (int j = 0; j < jobs; j++) {
        nodes.get(0).pause(job(j));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                for (int j = 0; j < jobs; j++) {
                  if (nodes.get(0).runs(job(j), 500).stream()
                      .anyMatch(r -> !r.state().isTerminal())) {
                    return false;
                  }
                }
                return true;
              });

      List<Run> all = new ArrayList<>();
      for (int j = 0; j < jobs; j++) {
        all.addAll(nodes.get(0).runs(job(j), 500));
      }
      Map<RunState, Long> byState =
          all.stream().collect(Collectors.groupingBy(Run::state, Collectors.counting()));
      log.info(
          "{} runs {}, {} calls, per member {}",
          all.size(),
          byState,
          ledger.size(),
          ledger.perMember());
      assertThat(all)
          .as("runs that did not succeed")
          .filteredOn(r -> r.state() == RunState.FAILED || r.state() == RunState.TIMED_OUT)
          .isEmpty();
      assertThat(ledger.repeated(Call::task)).as("(run, task) called twice").isEmpty();
      assertThat(byState.getOrDefault(RunState.SUCCEEDED, 0L)).isGreaterThan(jobs * 10L);
      assertThat(ledger.perMember()).hasSize(3);
    }
  }

  /**
   * A worker-only member runs attempts and never leads, even when it is the first to start and the
   * only member left; a scheduler-only member leads and runs no attempt, though it has the handler.
   * Catches: a worker-only node that joins the election, a scheduler-only node that opens a worker
   * seat (it would take about half the attempts), a leader that assigns to itself regardless.
   */
  @Test
  void rolesDecideWhoLeadsAndWhoRuns() throws Exception {
    CallLedger ledger = new CallLedger();
    TaskHandler work = ctx -> TaskResult.success();
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    try (Fixture f = new Fixture()) {
      String connect = f.ensemble.getConnectString();
      Scheduler worker =
          f.start(
              f.node("worker", connect, NodeRoles.WORKER_ONLY)
                  .handler("work", ledger.recording("worker", work)));
      AtomicBoolean workerLed = new AtomicBoolean();
      watcher.scheduleAtFixedRate(
          () -> {
            if (worker.isLeader()) {
              workerLed.set(true);
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
      Scheduler scheduler =
          f.start(
              f.node("scheduler", connect, NodeRoles.SCHEDULER_ONLY)
                  .handler("work", ledger.recording("scheduler", work)));
      await().atMost(Duration.ofSeconds(20)).until(scheduler::isLeader);
      f.awaitWorkers(scheduler, 1);
      assertThat(scheduler.cluster().workers())
          .extracting(w -> w.worker().memberId())
          .containsExactly("worker");

      worker.createJob(manualJob("roles", "work", RetryPolicy.NONE));
      awaitKnown(List.of(scheduler), "roles");
      Map<String, List<String>> runs = new ConcurrentHashMap<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ids.add((i % 2 == 0 ? worker : scheduler).trigger("roles"));
      }
      runs.put("roles", ids);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> terminalRuns(worker, runs) == ids.size());
      assertThat(ledger.size()).isEqualTo(ids.size());
      assertThat(ledger.perMember()).containsOnlyKeys("worker");
      assertThat(scheduler.runs("roles", 100))
          .allMatch(r -> r.state() == RunState.SUCCEEDED)
          .allMatch(r -> memberOf(r.tasks().get("t")).equals("worker"));

      // The only scheduler leaves: the worker-only member, alone, still does not lead.
      scheduler.close();
      await()
          .during(Duration.ofSeconds(2 * ZkClients.SESSION_TIMEOUT_MS / 1000))
          .atMost(Duration.ofSeconds(10))
          .until(() -> !worker.isLeader());
      assertThat(workerLed).as("the worker-only member led at some point").isFalse();
      assertThat(worker.cluster().leaderId()).isNull();
    } finally {
      watcher.shutdownNow();
    }
  }

  // ---- helpers ----

  private static String job(int j) {
    return String.format("job-%02d", j);
  }

  private static JobDefinition manualJob(String id, String type, RetryPolicy retry) {
    return JobDefinition.builder(id)
        .concurrencyPolicy(ConcurrencyPolicy.ALLOW)
        .retry(retry)
        .task("t", type)
        .build();
  }

  /**
   * Waits until every one of {@code nodes} sees the job: each server of the ensemble applies a
   * write in its own time, so a member on another server may not see it yet.
   */
  private static void awaitKnown(List<Scheduler> nodes, String jobId) {
    await("every member knows " + jobId)
        .atMost(Duration.ofSeconds(10))
        .until(() -> nodes.stream().allMatch(n -> n.job(jobId).isPresent()));
  }

  /** The member of the worker that ran a task's latest attempt ({@code node} is the worker). */
  private static String memberOf(TaskRun task) {
    return dev.zkscheduler.cluster.WorkerInfo.memberOf(task.node());
  }

  private static boolean terminal(Scheduler s, String jobId, String runId) {
    return s.run(jobId, runId).map(r -> r.state().isTerminal()).orElse(false);
  }

  private static int terminalRuns(Scheduler s, Map<String, List<String>> runIds) {
    int done = 0;
    for (var e : runIds.entrySet()) {
      for (String runId : List.copyOf(e.getValue())) {
        if (terminal(s, e.getKey(), runId)) {
          done++;
        }
      }
    }
    return done;
  }

  /** Waits until the ensemble has a quorum again: a write through it commits. */
  private static void awaitWritable(CuratorFramework probe) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              probe
                  .create()
                  .orSetData()
                  .creatingParentsIfNeeded()
                  .forPath("/quorum", Long.toString(System.nanoTime()).getBytes());
              return true;
            });
  }

  /** Waits until a restarted server has joined the quorum: it accepts a session and serves. */
  private static void awaitServing(InstanceSpec server) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              CuratorFramework direct = ZkClients.started(server.getConnectString(), "probe");
              try {
                if (!direct.blockUntilConnected(2, TimeUnit.SECONDS)) {
                  return false;
                }
                direct.sync().forPath("/");
                return direct.checkExists().forPath("/quorum") != null;
              } finally {
                direct.close();
              }
            });
  }

  /**
   * The shared ensemble (each test in a namespace of its own), a proxy in front of each server, and
   * the members a test started.
   */
  private static final class Fixture implements AutoCloseable {

    final TestingCluster ensemble = DistributedExecutionIT.ensemble;
    final List<InstanceSpec> servers;
    final List<TcpProxy> proxies = new ArrayList<>();
    final List<Scheduler> nodes = new ArrayList<>();
    final String namespace = "distexec-" + NAMESPACES.incrementAndGet();

    Fixture() throws Exception {
      servers = new ArrayList<>(ensemble.getInstances());
      for (InstanceSpec server : servers) {
        proxies.add(new TcpProxy(server.getPort()));
      }
    }

    SchedulerBuilder node(String id, String connect, NodeRoles roles) {
      return Scheduler.builder()
          .connectString(connect)
          .namespace(namespace)
          .sessionTimeout(Duration.ofMillis(ZkClients.SESSION_TIMEOUT_MS))
          .connectionTimeout(Duration.ofMillis(ZkClients.CONNECTION_TIMEOUT_MS))
          .memberId(id)
          .roles(roles)
          .settings(SETTINGS);
    }

    Scheduler start(SchedulerBuilder builder) {
      Scheduler node = builder.build();
      nodes.add(node);
      node.start();
      return node;
    }

    /** Waits until {@code view} sees {@code count} live, non-draining workers. */
    void awaitWorkers(Scheduler view, int count) {
      await(count + " live workers")
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  view.cluster().workers().stream().filter(w -> !w.worker().draining()).count()
                      == count);
    }

    @Override
    public void close() throws Exception {
      proxies.forEach(TcpProxy::heal);
      for (Scheduler node : nodes) {
        try {
          node.close();
        } catch (RuntimeException e) {
          log.warn("closing a member failed: {}", e.toString());
        }
      }
      proxies.forEach(TcpProxy::close);
    }
  }
}
