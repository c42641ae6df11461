package dev.zkscheduler.bench;

import dev.zkscheduler.zk.ReadBatches;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.Version;

/**
 * The benchmark harness (issue 8). {@code --quick} (default, a few minutes) or {@code --full}.
 * Every figure is printed with the machine, the versions and the settings, and scheduler rates also
 * as a ratio to ZooKeeper's own fenced-write limit measured at the start of the same run. The
 * report is also written to {@code scheduler-bench/target/bench-report.md}.
 */
public final class Bench {

  private final boolean full;
  private final java.util.Set<String> sections;
  private final List<String> report = new ArrayList<>();
  private int namespaces;

  private static final List<String> ALL =
      List.of("limit", "steady", "peak", "burst", "failover", "scale", "execution");

  private Bench(boolean full, java.util.Set<String> sections) {
    this.full = full;
    this.sections = sections;
  }

  /** Job counts of the peak steps ({@code --peak-steps 4000,6000}); null: the mode's own. */
  private static int[] peakSteps;

  /** {@code [--quick|--full] [--only steady,burst] [--peak-steps 4000,6000]}. */
  public static void main(String[] args) throws Exception {
    List<String> list = List.of(args);
    boolean full = list.contains("--full");
    java.util.Set<String> sections = new java.util.LinkedHashSet<>(ALL);
    int only = list.indexOf("--only");
    if (only >= 0 && only + 1 < list.size()) {
      sections = new java.util.LinkedHashSet<>(List.of(list.get(only + 1).split(",")));
      sections.retainAll(ALL);
    }
    int steps = list.indexOf("--peak-steps");
    if (steps >= 0 && steps + 1 < list.size()) {
      peakSteps =
          java.util.Arrays.stream(list.get(steps + 1).split(","))
              .mapToInt(Integer::parseInt)
              .toArray();
    }
    new Bench(full, sections).run();
    System.exit(0);
  }

  private boolean on(String section) {
    return sections.contains(section);
  }

  private void run() throws Exception {
    line("# zk-scheduler benchmark (" + (full ? "full" : "quick") + ")");
    line("");
    line(
        String.format(
            Locale.ROOT,
            "%s · %d cores · max heap %d MiB · Java %s (%s) · %s %s · ZooKeeper %s · %s",
            Instant.now(),
            Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory() >> 20,
            System.getProperty("java.version"),
            System.getProperty("java.vm.name"),
            System.getProperty("os.name"),
            System.getProperty("os.arch"),
            Version.getFullVersion().split(",")[0],
            ManagementFactory.getRuntimeMXBean().getInputArguments()));
    line(
        "Servers run in this JVM (Curator's TestingCluster: ZooKeeper's own server code) and share"
            + " its cores with the scheduler; each peak step, the burst, each failover sample, the"
            + " scale run and each member count of the execution section get a fresh ensemble."
            + " Scheduler settings: defaults (tick 50 ms, 8 task threads, 100 fires per commit),"
            + " session timeout 4 s.");
    line("");
    Duration limitEach = full ? Duration.ofSeconds(10) : Duration.ofSeconds(4);

    double limit;
    try (Ensemble three = Ensemble.threeServers()) {
      line("## 1. ZooKeeper's limit for a fenced write (check latch + check epoch + create 300 B)");
      line("");
      ZkLimit.Result r = ZkLimit.measure(three.connectString(), ns("limit"), limitEach);
      limit = r.asyncPerSecond();
      limitLine(three.name, r);
      if (full && on("limit")) {
        try (Ensemble one = Ensemble.oneServer()) {
          limitLine(one.name, ZkLimit.measure(one.connectString(), ns("limit"), limitEach));
        }
      }
      line("");
      runSections(three, limit);
    }
    if (on("scale")) {
      // A fresh ensemble: the three servers in this JVM each hold every earlier section's runs,
      // and 100,000 more definitions on top ran a 3 GiB heap out of memory.
      try (Ensemble three = Ensemble.threeServers()) {
        scale(three);
      }
    }
    if (on("execution")) {
      execution();
    }
    Path out = Path.of("scheduler-bench", "target", "bench-report.md");
    if (!Files.isDirectory(out.getParent())) {
      out = Path.of("target", "bench-report.md");
    }
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, String.join("\n", report) + "\n");
      System.out.println("\n(report written to " + out.toAbsolutePath() + ")");
    } catch (IOException e) {
      System.err.println("could not write the report: " + e);
    }
  }

  private void runSections(Ensemble three, double limit) throws Exception {
    if (on("steady")) {
      line("## 2. Steady firing: 1,000 jobs each firing every second");
      line("");
      Firing.Result steady =
          Firing.steady(
              three.connectString(),
              ns("steady"),
              1000,
              Duration.ofSeconds(full ? 15 : 10),
              Duration.ofSeconds(full ? 60 : 20));
      line("- " + steady.line() + ratio(steady.firesPerSecond(), limit));
      line("");
    }
    if (on("peak")) {
      line("## 3. Peak rate: more jobs until fires stop keeping up (≥ 99.9 %, p99 < 100 ms)");
      line("");
      int[] steps =
          peakSteps != null
              ? peakSteps
              : full
                  ? new int[] {2000, 4000, 6000, 8000, 10000, 12000, 15000}
                  : new int[] {2000, 4000};
      Firing.Result best = null;
      for (int jobs : steps) {
        Firing.Result step;
        try (Ensemble fresh = Ensemble.threeServers()) {
          step =
              Firing.steady(
                  fresh.connectString(),
                  ns("peak"),
                  jobs,
                  Duration.ofSeconds(10),
                  Duration.ofSeconds(full ? 30 : 15));
        }
        boolean ok = step.ratio() >= 0.999 && step.lag().percentile(99) < 100;
        line(
            "- "
                + step.line()
                + ratio(step.firesPerSecond(), limit)
                + (ok ? "" : " ← misses the bar"));
        if (!ok) {
          break;
        }
        best = step;
      }
      line(
          best == null
              ? "- peak: below the first step"
              : String.format(
                  Locale.ROOT,
                  "- **peak with p99 < 100 ms: %.0f fires/s**%s",
                  best.firesPerSecond(),
                  ratio(best.firesPerSecond(), limit)));
      line("");
    }
    if (on("burst")) {
      line("## 4. Burst: 10,000 one-shot jobs due at the same instant");
      line("");
      long[] burst;
      try (Ensemble fresh = Ensemble.threeServers()) {
        burst = Firing.burst(fresh.connectString(), ns("burst"), 10_000);
      }
      line(
          String.format(
              Locale.ROOT,
              "- half started %d ms after the due instant, **the last %d ms after**%s",
              burst[0],
              burst[1],
              ratio(10_000 * 1000.0 / Math.max(1, burst[1]), limit)));
      line("");
    }
    if (on("failover")) {
      line("## 5. Failover under 1,000 fires/s (session timeout 4 s)");
      line("");
      int samples = full ? 3 : 1;
      Stats crash = new Stats();
      Stats graceful = new Stats();
      Stats expired = new Stats();
      Stats sinceExpiry = new Stats();
      for (int i = 0; i < samples; i++) {
        Failover.Result f;
        try (Ensemble fresh = Ensemble.threeServers()) {
          f = Failover.measure(fresh, ns("failover"), 1000);
        }
        crash.add(f.crashMillis());
        expired.add(f.expiredMillis());
        sinceExpiry.add(f.crashMillis() - f.expiredMillis());
        graceful.add(f.gracefulMillis());
      }
      line("- leader silenced (as kill -9): first fire by the new leader after " + list(crash));
      line(
          "  - of which ZooKeeper expiring the silenced session (its latch node gone): "
              + list(expired)
              + "; the new leader's own part (latch, term, rebuild, first fire): "
              + list(sinceExpiry));
      line("- graceful close: first fire by the new leader after " + list(graceful));
      line("");
    }
  }

  private void scale(Ensemble three) throws Exception {
    int jobs = full ? 100_000 : 20_000;
    line(String.format(Locale.ROOT, "## 6. Scale: %,d job definitions", jobs));
    line("");
    Scale.Result s = Scale.measure(three.connectString(), ns("scale"), jobs);
    line(
        String.format(
            Locale.ROOT,
            "- term taken %,d ms after start; **first fire %,d ms after start** (read, plan, fire)",
            s.termMillis(),
            s.firstFireMillis()));
    line(String.format(Locale.ROOT, "- heap held by the scheduler: %,d MiB", s.heapBytes() >> 20));
    line(
        String.format(
            Locale.ROOT,
            "- znodes in the namespace: %,d; definitions %,d KiB",
            s.znodes(),
            s.definitionBytes() >> 10));
    line("- a page of 100 jobs (`jobs(after, 100)`): " + s.pageMillis().summary());
    line(
        String.format(
            Locale.ROOT,
            "- **takeover by a second node** when the first closes: first fire %,d ms after the"
                + " close (term, read every definition and schedule state, plan, fire)",
            s.takeoverMillis()));
  }

  private void execution() throws Exception {
    Execution.Plan plan =
        new Execution.Plan(
            8,
            Duration.ofMillis(500),
            Duration.ofSeconds(full ? 10 : 5),
            Duration.ofSeconds(full ? 20 : 10),
            Duration.ofSeconds(full ? 60 : 20));
    line(
        String.format(
            Locale.ROOT,
            "## 7. Distributed execution: handlers holding their slot %d ms, on 1, 2 and 3 members",
            plan.work().toMillis()));
    line("");
    line(
        String.format(
            Locale.ROOT,
            "Every member is scheduler and worker with **%d task slots** (taskThreads), one of them"
                + " leads; a fresh 3-server ensemble per member count. Jobs fire every second"
                + " (FORBID: a fire whose previous run still waits or runs is recorded SKIPPED):"
                + " first half the capacity (%ds window), then twice the capacity (%ds window),"
                + " each after a %ds warm-up. Completed = runs finished in the saturated window,"
                + " from the run records (each job keeps %d); ideal = members × %d slots / %.1f s.",
            plan.capacity(),
            plan.calm().toSeconds(),
            plan.busy().toSeconds(),
            plan.warmUp().toSeconds(),
            Execution.RETAINED_RUNS,
            plan.capacity(),
            plan.work().toMillis() / 1000.0));
    line("");
    List<Execution.Result> results = new ArrayList<>();
    for (int members = 1; members <= 3; members++) {
      Execution.Result r;
      try (Ensemble fresh = Ensemble.threeServers()) {
        r = Execution.measure(fresh, ns("execution"), members, plan);
      }
      results.add(r);
      executionLine(r, plan);
    }
    double one = results.get(0).perSecond();
    line(
        String.format(
            Locale.ROOT,
            "- **scaling: 2 members %.2f × 1 member, 3 members %.2f × 1 member** (ideal 2 and 3)",
            results.get(1).perSecond() / one,
            results.get(2).perSecond() / one));
    line("");
  }

  private void executionLine(Execution.Result r, Execution.Plan plan) {
    double ideal = plan.idealPerSecond(r.members());
    StringBuilder shares = new StringBuilder();
    for (int n = 1; n <= r.members(); n++) {
      String member = "exec-" + n;
      shares.append(
          String.format(
              Locale.ROOT,
              "%s%s %.0f %%%s",
              n == 1 ? "" : " · ",
              member,
              r.done().share(member) * 100,
              member.equals(r.leader()) ? " (leader)" : ""));
    }
    line(
        String.format(
            Locale.ROOT,
            "- %d member%s × %d slots: **%.1f attempts/s** of ideal %.0f (**%.2f × ideal**);"
                + " ran: %s",
            r.members(),
            r.members() == 1 ? "" : "s",
            plan.capacity(),
            r.perSecond(),
            ideal,
            r.perSecond() / ideal,
            shares));
    line(
        String.format(
            Locale.ROOT,
            "  - saturated: %d jobs × 1/s, %,d attempts succeeded and %d failed in %.0f s, %,d fires"
                + " skipped; fire → handler start %s",
            r.busyJobs(),
            r.done().succeeded(),
            r.done().failed(),
            r.seconds(),
            r.done().skipped(),
            r.busyLag().summary()));
    line(
        String.format(
            Locale.ROOT,
            "  - half capacity: %d jobs × 1/s; fire → handler start %s",
            r.calmJobs(),
            r.calmLag().summary()));
  }

  private void limitLine(String ensemble, ZkLimit.Result r) {
    line(
        String.format(
            Locale.ROOT,
            "- %s: one client %,.0f multis/s · pipelined (256 in flight) **%,.0f multis/s** · 100"
                + " creates per multi %,.0f creates/s · reads: one request each (256 in flight)"
                + " %,.0f znodes/s, multi-reads of %d (8 in flight) %,.0f znodes/s",
            ensemble,
            r.syncPerSecond(),
            r.asyncPerSecond(),
            r.batchedCreatesPerSecond(),
            r.readsPerSecond(),
            ReadBatches.READS_PER_BATCH,
            r.batchedReadsPerSecond()));
  }

  private static String ratio(double rate, double limit) {
    return String.format(Locale.ROOT, " (%.2f × the pipelined fenced-write limit)", rate / limit);
  }

  private static String list(Stats stats) {
    return stats.count() == 1
        ? stats.max() + " ms"
        : String.format(
            Locale.ROOT,
            "min/median/max %d / %d / %d ms",
            stats.percentile(0),
            stats.percentile(50),
            stats.max());
  }

  private String ns(String prefix) {
    return "bench-" + prefix + "-" + (++namespaces);
  }

  private void line(String text) {
    report.add(text);
    System.out.println(text);
  }

  static void await(Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("condition not met within " + within);
      }
      sleep(20);
    }
  }

  static void sleepUntil(Instant instant) {
    long millis = Duration.between(Instant.now(), instant).toMillis();
    if (millis > 0) {
      sleep(millis);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
