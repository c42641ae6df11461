package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.engine.EngineSettings;
import dev.zkscheduler.job.ConcurrencyPolicy;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.RetryPolicy;
import dev.zkscheduler.job.TaskContext;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.codec.RunCodec;
import dev.zkscheduler.testing.TcpProxy;
import dev.zkscheduler.testing.ZkClients;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.jute.Record;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The engine-level fault test: the proxy lets a fenced multi of the leader reach ZooKeeper,
 * holds ZooKeeper's answer until the multi is committed, then cuts the connection; the client
 * reconnects within its session and sends the multi again, which meets its own first send's writes.
 * Through the public facade: one scheduler leads alone through a {@link TcpProxy}, with one job
 * firing every second, {@code chain}: tasks a → b → c, where a and b have three attempts (an
 * attempt counted lost would be a second handler call) and c has one (an attempt counted lost would
 * fail the run). FORBID concurrency keeps one run active at a time, so the run a round aims at is
 * the only one its cut can touch; a fire that falls while that run is still active is recorded
 * SKIPPED, as FORBID says, and starts nothing.
 *
 * <p>A round waits for the next multi of one kind — the fire that creates a run (with a started),
 * the start of b or of c (written with the outcome of a or of b), the outcome of c that ends the
 * run — reads the multi's write back from ZooKeeper directly, drops the answer and waits for the
 * node to lead again: every connection loss ends its term (SUSPENDED, G8), and it takes the next
 * one. Every round therefore drops the answer to exactly one committed multi.
 */
class LostCommitReplyEngineFaultIT {

  private static final String NS = "lost-reply";
  private static final String JOB = "chain";
  private static final String RUNS = "/" + NS + "/runs/" + JOB + "/";

  /** What a fenced multi does to the run it writes. */
  enum Kind {
    /** A fire: the run is created, its first task started in the same multi. */
    CREATE,
    /** A task's attempt is started. */
    START,
    /** A task's outcome is recorded and the run goes on, nothing started with it. */
    OUTCOME,
    /** The last task's outcome is recorded and the run ends. */
    FINISH
  }

  /** A kind of multi on one task of a run: a run no round touched yet, or the last round's. */
  private record Target(Kind kind, String task, boolean freshRun) {
    @Override
    public String toString() {
      return kind + "(" + task + ")";
    }
  }

  /** One dropped answer: what it answered, and the run it wrote. */
  private record Round(int number, Target target, String runId) {}

  /**
   * Every multi a run of the chain makes. An outcome and the start of the task it readies share one
   * multi (the leader starts a run's next task in the write that records the outcome, while a slot
   * is free), so the starts of b and c are also the outcomes of a and b; c's outcome ends the run.
   */
  private static final List<Target> EVERY_KIND =
      List.of(
          new Target(Kind.CREATE, "a", true),
          new Target(Kind.START, "b", false),
          new Target(Kind.START, "c", false),
          new Target(Kind.FINISH, "c", false));

  private static final List<Target> STARTS =
      List.of(
          new Target(Kind.CREATE, "a", true),
          new Target(Kind.START, "b", false),
          new Target(Kind.START, "c", false));

  /**
   * 24 rounds, every kind of multi a run makes. Whatever the multi, its lost answer strands no run
   * and duplicates no fire, and the resent multi passes neither for a store conflict nor for a
   * duplicate fire (without {@code FencedTransaction}'s read-back every one counts as a store
   * conflict). The runs whose outcomes lost their answers (a's and b's, each with the next start,
   * and c's that ends the run), and runs no round touched: SUCCEEDED, one attempt and one handler
   * call per task, made in the term that started it.
   */
  @Test
  void answersLostAfterCommitStrandNoRunAndOutcomesCountNoAttemptLost() throws Exception {
    Outcome outcome = rounds(EVERY_KIND, 6);
    outcome.assertNoRunStrandedAndNoWriteMistaken();
    outcome.assertEachRanOnce(EnumSet.allOf(Kind.class));
    assertThat(outcome.dropped)
        .as("answers dropped to committed multis, by kind")
        .isEqualTo(Map.of(Kind.CREATE, 6, Kind.START, 12, Kind.FINISH, 6));
  }

  /**
   * The multis that record a start: the fire that creates a run with a started, and the starts of b
   * and c. The connection loss ends the term before the resent multi is answered, and the read-back
   * reports the start COMMITTED. The node's next term directly follows the ended one, so it takes
   * the attempts over instead of counting them lost: each handler runs once, no retry, no run
   * FAILED. (Before terms took over their predecessor's attempts, a and b were called twice and c's
   * run ended FAILED although its handler succeeded, in every one of these rounds.)
   */
  @Test
  void answersLostAfterCommitOfStartsCountNoAttemptLost() throws Exception {
    Outcome outcome = rounds(STARTS, 7);
    outcome.assertNoRunStrandedAndNoWriteMistaken();
    outcome.assertEachRanOnce(EnumSet.allOf(Kind.class));
    assertThat(outcome.metrics.counter(MetricNames.RETRIES).getCount()).as("retries").isZero();
    assertThat(outcome.metrics.counter(MetricNames.runsEnded(RunState.FAILED)).getCount())
        .as("runs FAILED")
        .isZero();
  }

  /** Handler calls by run/task, and those made while their term was over. */
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  private final Set<String> callsOutsideTheirTerm = ConcurrentHashMap.newKeySet();

  /** What {@code cycles} times the {@code targets} did. */
  private Outcome rounds(List<Target> targets, int cycles) throws Exception {
    ListAppender<ILoggingEvent> commitLog = new ListAppender<>();
    Logger fencedLog = (Logger) LoggerFactory.getLogger("dev.zkscheduler");
    commitLog.start();
    fencedLog.addAppender(commitLog);
    try {
      return rounds(targets, cycles, commitLog);
    } finally {
      fencedLog.detachAppender(commitLog);
    }
  }

  private Outcome rounds(List<Target> targets, int cycles, ListAppender<ILoggingEvent> commitLog)
      throws Exception {
    MetricRegistry metrics = new MetricRegistry();
    RetryPolicy three = new RetryPolicy(3, Duration.ofMillis(100), 1.0, Duration.ofMillis(100), 0);
    Instant grid = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    try (TestingServer server = new TestingServer(true);
        TcpProxy proxy = new TcpProxy(server.getPort());
        CuratorFramework observer = ZkClients.started(server.getConnectString(), null);
        Scheduler scheduler =
            Scheduler.builder()
                // The proxy twice: with a single address the ZooKeeper client waits a second
                // before each reconnect (it has tried every server), a second more per round.
                .connectString(proxy.connectString() + "," + proxy.connectString())
                .namespace(NS)
                .memberId("n1")
                // Far longer than a cut lasts: the session outlives every reconnect.
                .sessionTimeout(Duration.ofSeconds(20))
                .metrics(metrics)
                // Every run stays for the checks.
                .settings(EngineSettings.DEFAULT.withRetainedRuns(1_000))
                .handler("step", ctx -> call(ctx, metrics))
                .job(
                    JobDefinition.builder(JOB)
                        .schedule(Schedule.interval(Duration.ofSeconds(1), grid))
                        .concurrencyPolicy(ConcurrencyPolicy.FORBID)
                        .retry(three)
                        .task("a", "step")
                        .task("b", "step", "a")
                        .task(
                            new TaskDefinition(
                                "c", "step", null, List.of("b"), null, RetryPolicy.NONE, null))
                        .build())
                .build()) {
      scheduler.start();
      await().atMost(Duration.ofSeconds(15)).until(() -> leadsAfter(metrics, 0));

      List<Round> rounds = new ArrayList<>();
      Map<Kind, Integer> dropped = new EnumMap<>(Kind.class);
      int count = cycles * targets.size();
      // Each round's trap is armed before the cut of the round before: the next term may make
      // the write it waits for at once. The resent multi of the round before is another kind.
      CompletableFuture<List<Op>> trap = trap(proxy, targets.get(0), "");
      for (int i = 0; i < count; i++) {
        Target target = targets.get(i % targets.size());
        long epoch = gauge(metrics, MetricNames.EPOCH);
        Op write = runWrite(trap.get(15, TimeUnit.SECONDS));
        // ZooKeeper committed it while its answer is held at the proxy; then the answer is lost.
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> Arrays.equals(data(observer, write.getPath()), writtenData(write)));
        proxy.cutAll();
        proxy.heal();
        rounds.add(new Round(i, target, runId(write)));
        dropped.merge(target.kind(), 1, Integer::sum);
        if (i + 1 < count) {
          trap = trap(proxy, targets.get((i + 1) % targets.size()), runId(write));
        }
        await()
            .atMost(Duration.ofSeconds(15))
            .alias("round " + i + " (" + target + "): the node leads again")
            .until(() -> leadsAfter(metrics, epoch));
      }

      scheduler.pause(JOB);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> scheduler.runs(JOB, 1_000).stream().allMatch(r -> r.state().isTerminal()));
      Outcome outcome =
          new Outcome(rounds, dropped, scheduler.runs(JOB, 1_000), Map.copyOf(calls), metrics);
      outcome.print(commitLog.list);
      return outcome;
    }
  }

  /**
   * Holds the answers from the next multi that makes {@code target}'s write: on a run after {@code
   * last} (run ids sort by nominal instant) or on {@code last} itself.
   */
  private static CompletableFuture<List<Op>> trap(TcpProxy proxy, Target target, String last) {
    return proxy.holdRepliesFromNextMulti(
        ops -> {
          Op write = runWrite(ops);
          return write != null
              && (target.freshRun() ? runId(write).compareTo(last) > 0 : runId(write).equals(last))
              && sameWrite(target, targetOf(write));
        });
  }

  private TaskResult call(TaskContext ctx, MetricRegistry metrics) {
    String key = ctx.runId() + "/" + ctx.taskId();
    if (gauge(metrics, MetricNames.LEADER) != 1
        || gauge(metrics, MetricNames.EPOCH) != ctx.fencingToken()) {
      callsOutsideTheirTerm.add(key);
    }
    calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    return TaskResult.success();
  }

  /** The runs after the rounds, and what was counted. */
  private final class Outcome {
    final List<Round> rounds;
    final Map<Kind, Integer> dropped;
    final List<Run> runs;
    final Map<String, AtomicInteger> calls;
    final MetricRegistry metrics;

    Outcome(
        List<Round> rounds,
        Map<Kind, Integer> dropped,
        List<Run> runs,
        Map<String, AtomicInteger> calls,
        MetricRegistry metrics) {
      this.rounds = rounds;
      this.dropped = dropped;
      this.runs = runs;
      this.calls = calls;
      this.metrics = metrics;
    }

    int callsOf(Run run, String task) {
      AtomicInteger n = calls.get(run.id() + "/" + task);
      return n == null ? 0 : n.get();
    }

    /** The rounds that dropped an answer to a write of {@code run}. */
    List<Round> roundsOf(Run run) {
      return rounds.stream().filter(r -> r.runId().equals(run.id())).toList();
    }

    void assertNoRunStrandedAndNoWriteMistaken() {
      assertThat(runs).as("runs").isNotEmpty().allMatch(r -> r.state().isTerminal());
      for (Round round : rounds) {
        assertThat(runs).as("run of %s", round).anyMatch(r -> r.id().equals(round.runId()));
      }
      for (Run run : runs) {
        if (run.state() == RunState.SKIPPED) {
          // FORBID: fired while the run before it was still active; nothing started.
          assertThat(run.tasks().values())
              .as("skipped run %s", run.id())
              .allMatch(t -> t.attempts() == 0);
          assertThat(run.tasks().keySet())
              .as("handlers called for skipped run %s", run.id())
              .allMatch(task -> callsOf(run, task) == 0);
        }
      }
      Set<String> tasksInStore = new java.util.HashSet<>();
      runs.forEach(r -> r.tasks().keySet().forEach(t -> tasksInStore.add(r.id() + "/" + t)));
      assertThat(tasksInStore)
          .as("no handler ran for a run the store lacks")
          .containsAll(calls.keySet());
      assertThat(
              runs.stream()
                  .filter(r -> r.trigger() == RunTrigger.SCHEDULE)
                  .map(Run::nominalTime)
                  .toList())
          .as("nominal instants of the schedule's runs")
          .doesNotHaveDuplicates();
      assertThat(metrics.counter(MetricNames.DUPLICATES_PREVENTED).getCount())
          .as("fires taken for duplicates")
          .isZero();
      assertThat(metrics.counter(MetricNames.STORE_CONFLICTS).getCount())
          .as("resent multis taken for conflicts")
          .isZero();
      assertThat(metrics.counter(MetricNames.ZK_LOST).getCount()).as("sessions lost").isZero();
    }

    /** Runs of rounds of {@code kinds}, and runs no round touched, ran each task once. */
    void assertEachRanOnce(Set<Kind> kinds) {
      Map<String, String> expected = new TreeMap<>();
      Map<String, String> actual = new TreeMap<>();
      for (Run run : runs) {
        List<Round> touched = roundsOf(run);
        if (run.state() == RunState.SKIPPED
            || touched.stream().anyMatch(r -> !kinds.contains(r.target().kind()))) {
          continue;
        }
        String label =
            touched.isEmpty()
                ? "untouched"
                : touched.stream().map(r -> r.target().toString()).toList().toString();
        for (Map.Entry<String, TaskRun> task : run.tasks().entrySet()) {
          String key = run.id() + "/" + task.getKey() + " " + label;
          // A call made after the term that started it ended is no fault by itself: the node's
          // next term directly followed and took the attempt over (recorded once, counted once).
          expected.put(key, "SUCCEEDED, 1 attempt, 1 call");
          actual.put(
              key,
              (run.state() == RunState.SUCCEEDED ? "SUCCEEDED" : run.state().toString())
                  + ", "
                  + task.getValue().attempts()
                  + (task.getValue().attempts() == 1 ? " attempt, " : " attempts, ")
                  + callsOf(run, task.getKey())
                  + (callsOf(run, task.getKey()) == 1 ? " call" : " calls"));
        }
      }
      assertThat(actual).as("runs of rounds %s and untouched runs", kinds).isEqualTo(expected);
    }

    void print(List<ILoggingEvent> commitLog) {
      StringBuilder text = new StringBuilder();
      text.append(
          String.format(
              "resent multis the read-back found committed: %d; refused because the next term had"
                  + " taken the epoch first: %d%n",
              commitLog.stream()
                  .filter(e -> e.getFormattedMessage().contains("found its first send committed"))
                  .count(),
              commitLog.stream()
                  .map(ILoggingEvent::getFormattedMessage)
                  .filter(
                      m ->
                          m.contains("before a commit was read back")
                              || m.contains("ZooKeeper refused the write: the epoch moved past"))
                  .count()));
      text.append(
          String.format(
              "%d answers to committed multis dropped %s; runs %d (%d SUCCEEDED, %d SKIPPED); terms"
                  + " %d; retries %d; runs FAILED %d; duplicates prevented %d; store conflicts"
                  + " %d%n",
              rounds.size(),
              dropped,
              runs.size(),
              runs.stream().filter(r -> r.state() == RunState.SUCCEEDED).count(),
              runs.stream().filter(r -> r.state() == RunState.SKIPPED).count(),
              metrics.counter(MetricNames.TERMS_STARTED).getCount(),
              metrics.counter(MetricNames.RETRIES).getCount(),
              metrics.counter(MetricNames.runsEnded(RunState.FAILED)).getCount(),
              metrics.counter(MetricNames.DUPLICATES_PREVENTED).getCount(),
              metrics.counter(MetricNames.STORE_CONFLICTS).getCount()));
      for (Round round : rounds) {
        Run run = runs.stream().filter(r -> r.id().equals(round.runId())).findFirst().orElseThrow();
        text.append(
            String.format(
                "round %2d %-10s run %s %s:",
                round.number(), round.target(), run.id(), run.state()));
        run.tasks()
            .forEach(
                (task, t) ->
                    text.append(
                        String.format(
                            " %s=%s/%d attempts/%d calls%s",
                            task,
                            t.state(),
                            t.attempts(),
                            callsOf(run, task),
                            callsOutsideTheirTerm.contains(run.id() + "/" + task)
                                ? " (one after its term ended)"
                                : "")));
        text.append('\n');
      }
      System.out.print(text);
    }
  }

  /** Leading, in a term newer than {@code epoch}. */
  private static boolean leadsAfter(MetricRegistry metrics, long epoch) {
    return gauge(metrics, MetricNames.LEADER) == 1 && gauge(metrics, MetricNames.EPOCH) > epoch;
  }

  private static long gauge(MetricRegistry metrics, String name) {
    Gauge<?> gauge = metrics.getGauges().get(name);
    return gauge == null ? -1 : ((Number) gauge.getValue()).longValue();
  }

  /** The multi's write of a run of the job that leaves it active or ends it, or null. */
  private static Op runWrite(List<Op> ops) {
    for (Op op : ops) {
      if (op.getPath().startsWith(RUNS) && writtenData(op) != null) {
        Run run = RunCodec.decode(writtenData(op));
        if (!(op.toRequestRecord() instanceof CreateRequest && run.state().isTerminal())) {
          return op;
        }
      }
    }
    return null;
  }

  private static String runId(Op write) {
    return write.getPath().substring(RUNS.length());
  }

  /** What a run write does: which kind of multi, on which task. */
  private static Target targetOf(Op write) {
    Run run = RunCodec.decode(writtenData(write));
    List<String> running = tasksIn(run, TaskState.RUNNING);
    if (write.toRequestRecord() instanceof CreateRequest) {
      return new Target(Kind.CREATE, running.isEmpty() ? null : running.get(0), true);
    }
    if (run.state().isTerminal()) {
      List<String> all = List.copyOf(run.tasks().keySet());
      return new Target(Kind.FINISH, all.get(all.size() - 1), false);
    }
    if (!running.isEmpty()) {
      return new Target(Kind.START, running.get(0), false);
    }
    List<String> done = tasksIn(run, TaskState.SUCCEEDED);
    return new Target(Kind.OUTCOME, done.isEmpty() ? null : done.get(done.size() - 1), false);
  }

  private static boolean sameWrite(Target a, Target b) {
    return a.kind() == b.kind() && java.util.Objects.equals(a.task(), b.task());
  }

  private static List<String> tasksIn(Run run, TaskState state) {
    return run.tasks().entrySet().stream()
        .filter(t -> t.getValue().state() == state)
        .map(Map.Entry::getKey)
        .toList();
  }

  private static byte[] writtenData(Op op) {
    Record request = op.toRequestRecord();
    return request instanceof CreateRequest c
        ? c.getData()
        : request instanceof SetDataRequest s ? s.getData() : null;
  }

  private static byte[] data(CuratorFramework observer, String path) throws Exception {
    return observer.checkExists().forPath(path) == null ? null : observer.getData().forPath(path);
  }
}
