package dev.zkscheduler.bench;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.engine.EngineSettings;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Distributed execution: handlers that hold their task slot for a fixed time, run by the members of
 * one cluster — each both scheduler and worker, each with the same capacity, one of them leading.
 * The jobs fire every second, their anchors spread over the second, with the default FORBID policy
 * (a fire whose previous run is still queued or running is recorded SKIPPED, so the queue of runs
 * waiting for a slot is bounded by the number of jobs).
 *
 * <p>Two phases on one cluster: first jobs offering half the capacity (a slot is always free, so
 * the fire → handler start time is the cost of assigning), then more jobs, offering twice the
 * capacity, so that every slot stays busy: the attempts completed per second in that window, from
 * the run records, against the ideal of members × capacity / work.
 */
final class Execution {

  /** The task type every member registers. */
  static final String TASK_TYPE = "bench-work";

  private static final String TASK_ID = "t";

  /** How long after a window its last fires are given to start before the handlers are read. */
  private static final Duration TAIL = Duration.ofSeconds(5);

  /**
   * The same for every member count: the slots of each member, how long each handler holds one, the
   * warm-up before each window, and the two windows.
   */
  record Plan(int capacity, Duration work, Duration warmUp, Duration calm, Duration busy) {

    /** Attempts per second if every slot always ran a handler and nothing else took time. */
    double idealPerSecond(int members) {
      return members * capacity * 1000.0 / work.toMillis();
    }

    /** Jobs of one fire per second that offer {@code factor} × the ideal rate. */
    int jobsOffering(int members, double factor) {
      return (int) Math.round(idealPerSecond(members) * factor);
    }
  }

  /**
   * One member count's figures: attempts finished in the saturated window (from the run records),
   * and fire → handler start at half capacity ({@code calmLag}) and saturated ({@code busyLag}).
   */
  record Result(
      int members,
      String leader,
      int calmJobs,
      int busyJobs,
      Completions done,
      double seconds,
      Stats calmLag,
      Stats busyLag) {

    double perSecond() {
      return done.succeeded() / seconds;
    }
  }

  private Execution() {}

  static Result measure(Ensemble ensemble, String namespace, int members, Plan plan)
      throws Exception {
    String connect = ensemble.connectString();
    int calmJobs = plan.jobsOffering(members, 0.5);
    int busyJobs = plan.jobsOffering(members, 2);
    Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    List<JobDefinition> jobs = jobs(0, calmJobs, base);
    BulkJobs.write(connect, namespace, jobs);
    Fires fires = new Fires(plan.work());
    List<Scheduler> nodes = new ArrayList<>();
    try {
      for (int n = 1; n <= members; n++) {
        nodes.add(member(connect, namespace, "exec-" + n, plan, fires));
      }
      Scheduler any = nodes.get(0);
      Bench.await(Duration.ofSeconds(120), () -> ready(any, members));
      String leader = any.cluster().leaderId();

      Instant calmFrom = Instant.now().plus(plan.warmUp()).truncatedTo(ChronoUnit.SECONDS);
      Instant calmTo = calmFrom.plus(plan.calm());
      Bench.sleepUntil(calmTo);

      // Written while the cluster runs: the leader learns of them through its definition watch.
      List<JobDefinition> more =
          jobs(calmJobs, busyJobs, Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2));
      BulkJobs.write(connect, namespace, more);
      jobs.addAll(more);
      Instant busyFrom = Instant.now().plus(plan.warmUp()).truncatedTo(ChronoUnit.SECONDS);
      Instant busyTo = busyFrom.plus(plan.busy());
      Bench.sleepUntil(busyTo.plus(TAIL));

      Stats calmLag = lag(fires.nominalIn(calmFrom, calmTo));
      Stats busyLag = lag(fires.nominalIn(busyFrom, busyTo));
      List<Run> runs = new ArrayList<>();
      for (JobDefinition job : jobs) {
        runs.addAll(any.runs(job.id(), RETAINED_RUNS));
      }
      Completions done = Completions.of(runs, TASK_ID, busyFrom, busyTo);
      return new Result(
          members,
          leader,
          calmJobs,
          busyJobs,
          done,
          plan.busy().toMillis() / 1000.0,
          calmLag,
          busyLag);
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
  }

  /**
   * Terminal runs kept per job: more than a job can make in the longest run (one a second), so the
   * leader's pruning never removes a record the count needs.
   */
  static final int RETAINED_RUNS = 1000;

  private static Scheduler member(
      String connectString, String namespace, String member, Plan plan, Fires fires) {
    Scheduler scheduler =
        Scheduler.builder()
            .connectString(connectString)
            .namespace(namespace)
            .memberId(member)
            .sessionTimeout(Duration.ofSeconds(4))
            .connectionTimeout(Duration.ofSeconds(2))
            .settings(
                EngineSettings.DEFAULT
                    .withTaskThreads(plan.capacity())
                    .withRetainedRuns(RETAINED_RUNS))
            .handler(TASK_TYPE, fires)
            .build();
    scheduler.start();
    return scheduler;
  }

  /** A leader, and every member's worker live: the leader can give attempts to all of them. */
  private static boolean ready(Scheduler any, int members) {
    try {
      var cluster = any.cluster();
      return cluster.leaderId() != null && cluster.workers().size() == members;
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  /** Jobs {@code from} (inclusive) to {@code to} firing every second, anchors spread over it. */
  private static List<JobDefinition> jobs(int from, int to, Instant base) {
    List<JobDefinition> jobs = new ArrayList<>();
    int count = to - from;
    for (int i = 0; i < count; i++) {
      jobs.add(
          JobDefinition.builder(String.format(Locale.ROOT, "exec-%05d", from + i))
              .schedule(
                  Schedule.interval(Duration.ofSeconds(1), base.plusMillis(i * 1000L / count)))
              .task(TASK_ID, TASK_TYPE)
              .build());
    }
    return jobs;
  }

  private static Stats lag(List<Fires.Fire> fires) {
    Stats lag = new Stats();
    fires.forEach(f -> lag.add(f.startMillis() - f.nominalMillis()));
    return lag;
  }
}
