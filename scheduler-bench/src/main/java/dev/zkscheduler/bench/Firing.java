package dev.zkscheduler.bench;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Steady firing, the peak rate and the burst, each on a fresh namespace of the same ensemble. */
final class Firing {

  /** What a firing run achieved in its measurement window. */
  record Result(int jobs, long expected, long achieved, Stats lag, double seconds) {
    double ratio() {
      return expected == 0 ? 0 : (double) achieved / expected;
    }

    double firesPerSecond() {
      return achieved / seconds;
    }

    String line() {
      return String.format(
          Locale.ROOT,
          "%,d jobs × 1/s: %,d of %,d fires (%.2f %%), %.0f fires/s, lag %s",
          jobs,
          achieved,
          expected,
          ratio() * 100,
          firesPerSecond(),
          lag.summary());
    }
  }

  private Firing() {}

  static Scheduler scheduler(String connectString, String namespace, String member, Fires fires) {
    Scheduler scheduler =
        Scheduler.builder()
            .connectString(connectString)
            .namespace(namespace)
            .memberId(member)
            .sessionTimeout(Duration.ofSeconds(4))
            .connectionTimeout(Duration.ofSeconds(2))
            .handler("bench", fires)
            .metrics(fires.metrics())
            .settings(
                dev.zkscheduler.engine.EngineSettings.DEFAULT.withTaskThreads(
                    Integer.getInteger("bench.threads", 8)))
            .build();
    scheduler.start();
    return scheduler;
  }

  /**
   * {@code jobs} interval jobs of one second, their anchors spread evenly over the second, written
   * in bulk before the scheduler starts; fires with a nominal instant in the window are counted.
   */
  static Result steady(
      String connectString, String namespace, int jobs, Duration warmUp, Duration measure)
      throws Exception {
    Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    List<JobDefinition> definitions = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      definitions.add(
          JobDefinition.builder(String.format(Locale.ROOT, "steady-%06d", i))
              .schedule(Schedule.interval(Duration.ofSeconds(1), base.plusMillis(i * 1000L / jobs)))
              .task("t", "bench")
              .build());
    }
    BulkJobs.write(connectString, namespace, definitions);
    Fires fires = new Fires();
    try (Scheduler scheduler = scheduler(connectString, namespace, "bench-1", fires)) {
      Bench.await(Duration.ofSeconds(120), scheduler::isLeader);
      Instant from = Instant.now().plus(warmUp).truncatedTo(ChronoUnit.SECONDS);
      Instant to = from.plus(measure);
      Bench.sleepUntil(from);
      long[] before = leaderWork(fires);
      Bench.sleepUntil(to);
      long[] after = leaderWork(fires);
      Bench.sleepUntil(to.plusSeconds(3));
      List<Fires.Fire> window = fires.nominalIn(from, to);
      Stats lag = new Stats();
      window.forEach(f -> lag.add(f.startMillis() - f.nominalMillis()));
      if (Boolean.getBoolean("bench.trace")) {
        traceLagBySecond(jobs, window);
        System.err.printf(
            Locale.ROOT,
            "leader in the window, per fire: %.2f ticks, %.2f fenced multis, %.2f ops%n",
            (after[0] - before[0]) / (double) window.size(),
            (after[1] - before[1]) / (double) window.size(),
            (after[2] - before[2]) / (double) window.size());
      }
      return new Result(
          jobs, (long) jobs * measure.toSeconds(), window.size(), lag, measure.toSeconds());
    }
  }

  /** The leader's ticks, fenced multis and the ops they sent, so far. */
  private static long[] leaderWork(Fires fires) {
    com.codahale.metrics.MetricRegistry m = fires.metrics();
    return new long[] {
      m.timer(dev.zkscheduler.metrics.MetricNames.TICK).getCount(),
      m.timer(dev.zkscheduler.metrics.MetricNames.STORE_COMMITS).getCount(),
      m.counter(dev.zkscheduler.metrics.MetricNames.STORE_COMMIT_OPS).getCount()
    };
  }

  /** With {@code -Dbench.trace=true}: the worst lag of each second of the window, to stderr. */
  private static void traceLagBySecond(int jobs, List<Fires.Fire> window) {
    java.util.TreeMap<Long, Long> worst = new java.util.TreeMap<>();
    window.forEach(
        f -> worst.merge(f.nominalMillis() / 1000, f.startMillis() - f.nominalMillis(), Math::max));
    StringBuilder line = new StringBuilder(jobs + " jobs, worst lag per second (ms):");
    worst.forEach((second, lag) -> line.append(' ').append(lag));
    System.err.println(line);
  }

  /**
   * Milliseconds from the shared due instant until the last of {@code jobs} one-shot jobs started.
   */
  static long[] burst(String connectString, String namespace, int jobs) throws Exception {
    Fires fires = new Fires();
    try (Scheduler scheduler = scheduler(connectString, namespace, "burst-1", fires)) {
      Bench.await(Duration.ofSeconds(60), scheduler::isLeader);
      Instant due = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(20);
      List<JobDefinition> definitions = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        definitions.add(
            JobDefinition.builder(String.format(Locale.ROOT, "burst-%06d", i))
                .schedule(Schedule.once(due))
                .task("t", "bench")
                .build());
      }
      // Written while the scheduler runs: it learns of them through its definition watch.
      BulkJobs.write(connectString, namespace, definitions);
      if (Instant.now().isAfter(due.minusSeconds(2))) {
        throw new IllegalStateException("setup took too long: the burst would start late");
      }
      Bench.await(Duration.ofSeconds(120), () -> fires.size() >= jobs);
      Stats starts = new Stats();
      fires.snapshot().forEach(f -> starts.add(f.startMillis() - due.toEpochMilli()));
      return new long[] {starts.percentile(50), starts.max()};
    }
  }
}
