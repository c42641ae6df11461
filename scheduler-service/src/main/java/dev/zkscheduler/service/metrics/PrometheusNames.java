package dev.zkscheduler.service.metrics;

import dev.zkscheduler.metrics.MetricNames;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How each metric of {@link dev.zkscheduler.metrics.MetricNames} is named in Prometheus: base units
 * in the name ({@code _seconds}), counters as counters (the exposition adds {@code _total}), states
 * and outcomes as labels of one family, and latencies as histograms with buckets for their range.
 * This is the one table the alert rules, the dashboard and docs/operations.md follow.
 */
public final class PrometheusNames {

  private PrometheusNames() {}

  /** How a Dropwizard metric becomes a Prometheus sample. */
  enum Kind {
    COUNTER,
    GAUGE,
    /** Counted into a Prometheus histogram as it is recorded (see BucketingMetricRegistry). */
    HISTOGRAM
  }

  /**
   * @param name the Prometheus family name (counters without {@code _total})
   * @param scale multiplies the Dropwizard value into the base unit (milliseconds to seconds)
   * @param labelName with {@code labelValue}, a label telling apart the sources of one family, or
   *     null
   * @param buckets upper bounds in base units, for {@link Kind#HISTOGRAM} only
   */
  record Export(
      String name,
      Kind kind,
      String help,
      double scale,
      String labelName,
      String labelValue,
      double[] buckets) {}

  /** Bucket bounds (seconds) for delays measured against a 50 ms tick, alerting at 1 s. */
  static final double[] FIRE_LAG_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300
  };

  /** Bucket bounds (seconds) for a ZooKeeper multi or one leader tick. */
  static final double[] SHORT_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  /**
   * Bucket bounds (seconds) for task attempts: from a no-op to the default 1 h timeout and past.
   */
  static final double[] TASK_BUCKETS = {
    0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600
  };

  /** Family of every run that ended, by terminal state ({@code state} label). */
  public static final String RUNS_ENDED_FAMILY = "zkscheduler_engine_runs_ended";

  /** Task attempts on this node by task type and outcome (recorded by the service's handlers). */
  public static final String TASK_DURATION = "zkscheduler_task_duration_seconds";

  /** Info metric: version and revision labels, value 1. */
  public static final String BUILD_INFO = "zkscheduler_build_info";

  /** Opt-in: when each listed job's newest successful run finished. */
  public static final String JOB_LAST_SUCCESS = "zkscheduler_job_last_success_timestamp_seconds";

  private static final double MILLIS = 1e-3;

  private static final Map<String, Export> EXPORTS = new LinkedHashMap<>();

  static {
    gauge(
        MetricNames.LEADER,
        "zkscheduler_leader",
        "1 while this node holds the current leader term, else 0");
    gauge(
        MetricNames.EPOCH,
        "zkscheduler_epoch",
        "Epoch (fencing token) of this node's current or last term");
    counter(
        MetricNames.TERMS_STARTED, "zkscheduler_terms_started", "Leader terms this node has taken");
    counter(
        MetricNames.FENCING_REJECTIONS,
        "zkscheduler_fencing_rejections",
        "Scheduler-state writes ZooKeeper refused because the writer's term had ended");
    scaledGauge(
        MetricNames.CLOCK_SKEW,
        "zkscheduler_cluster_clock_skew_seconds",
        "This node's clock minus ZooKeeper's when it last took a term (positive: ahead)",
        MILLIS);
    gauge(
        MetricNames.ZK_CONNECTED,
        "zkscheduler_zookeeper_connected",
        "1 while the ZooKeeper connection is usable, else 0");
    counter(
        MetricNames.ZK_SUSPENDED,
        "zkscheduler_zookeeper_suspended",
        "ZooKeeper connections suspended");
    counter(MetricNames.ZK_LOST, "zkscheduler_zookeeper_lost", "ZooKeeper sessions lost");

    histogram(
        MetricNames.STORE_COMMITS,
        "zkscheduler_store_commit_duration_seconds",
        "Fenced commits to ZooKeeper",
        1,
        SHORT_BUCKETS);
    counter(
        MetricNames.STORE_CONFLICTS,
        "zkscheduler_store_conflicts",
        "Fenced commits refused by a data precondition");
    counter(
        MetricNames.STORE_COMMIT_OPS,
        "zkscheduler_store_commit_ops",
        "ZooKeeper ops sent in the leader's fenced multis, fence checks apart");
    counter(
        MetricNames.STORE_COMMIT_FENCE_CHECKS,
        "zkscheduler_store_commit_fence_checks",
        "Fence checks sent in the leader's fenced multis (two per multi)");
    counter(
        MetricNames.STORE_OVERSIZED,
        "zkscheduler_store_oversized",
        "Writes refused before reaching ZooKeeper because a record was over budget");
    gauge(
        MetricNames.STORE_ZNODES,
        "zkscheduler_store_znodes",
        "Znodes under the cluster's namespace");
    gauge(MetricNames.STORE_JOBS, "zkscheduler_store_jobs", "Job definitions stored");
    gauge(MetricNames.STORE_RUNS, "zkscheduler_store_runs", "Run records stored, all jobs");
    gauge(
        MetricNames.STORE_ACTIVE_RUNS,
        "zkscheduler_store_runs_active",
        "Stored runs not yet terminal, as the leader holds them (0 on other nodes)");
    gauge(
        MetricNames.STORE_PENDING_REQUESTS,
        "zkscheduler_store_requests_pending",
        "Control requests waiting for the leader");
    counter(
        MetricNames.STORE_UNREADABLE,
        "zkscheduler_store_unreadable",
        "Stored records that could not be decoded (skipped)");

    counter(MetricNames.FIRES, "zkscheduler_engine_fires", "Runs created for scheduled fires");
    histogram(
        MetricNames.FIRE_LAG,
        "zkscheduler_engine_fire_lag_seconds",
        "Nominal fire instant to the first task's start, for scheduled runs",
        MILLIS,
        FIRE_LAG_BUCKETS);
    counter(
        MetricNames.DUPLICATES_PREVENTED,
        "zkscheduler_engine_duplicates_prevented",
        "Run creates that found the run already there");
    String misfires = "Due fires a misfire policy skipped or fired late, by outcome";
    labelled(
        MetricNames.MISFIRES_SKIPPED,
        "zkscheduler_engine_misfires",
        misfires,
        "outcome",
        "skipped");
    labelled(
        MetricNames.MISFIRES_CAUGHT_UP,
        "zkscheduler_engine_misfires",
        misfires,
        "outcome",
        "caught_up");
    counter(MetricNames.RETRIES, "zkscheduler_engine_retries", "Task attempts retried");
    counter(
        MetricNames.REQUESTS_DROPPED,
        "zkscheduler_engine_requests_dropped",
        "Control requests dropped because their job does not exist");
    counter(
        MetricNames.RUNS_FAILED_ALONE,
        "zkscheduler_engine_runs_failed_alone",
        "Runs ended FAILED because processing them threw");
    counter(
        MetricNames.JOBS_FAILED_ALONE,
        "zkscheduler_engine_jobs_failed_alone",
        "Jobs left out of the fire plan because processing them threw");
    counter(
        MetricNames.RUNS_OVER_INFLIGHT_CAP,
        "zkscheduler_engine_runs_overinflightcap",
        "Runs not started because their job had the most runs in flight allowed");
    gauge(
        MetricNames.RUNS_ACTIVE,
        "zkscheduler_engine_runs_active",
        "Non-terminal runs the leader drives");
    gauge(
        MetricNames.TASKS_RUNNING,
        "zkscheduler_engine_tasks_running",
        "Task handlers running on this node");
    counter(
        MetricNames.ATTEMPTS_LOST,
        "zkscheduler_engine_attempts_lost",
        "Attempts lost because their worker's session ended before it reported (leader)");
    gauge(
        MetricNames.TASKS_ASSIGNED,
        "zkscheduler_engine_tasks_assigned",
        "Attempts assigned to workers and not settled yet (leader)");
    counter(
        MetricNames.TICKS_SATURATED,
        "zkscheduler_engine_ticks_saturated",
        "Leader ticks that left due fires for the next tick: the leader fires at its limit");
    gauge(
        MetricNames.TASKS_QUEUED,
        "zkscheduler_engine_tasks_queued",
        "Runs with a ready task waiting in line for a worker with a free slot (leader)");
    gauge(
        MetricNames.WORKER_FENCING_TOKEN_MAX,
        "zkscheduler_worker_fencing_token_max",
        "Highest fencing token this node's worker handed to a handler since it started");
    gauge(
        MetricNames.WORKERS_LIVE, "zkscheduler_engine_workers_live", "Live workers this node sees");
    histogram(
        MetricNames.TICK,
        "zkscheduler_engine_tick_duration_seconds",
        "Leader ticks",
        1,
        SHORT_BUCKETS);
    scaledGauge(
        MetricNames.TICK_AGE,
        "zkscheduler_engine_tick_age_seconds",
        "Time since the scheduler loop last ticked",
        MILLIS);
  }

  /** The export of a Dropwizard metric name; empty for names this table does not know. */
  static Optional<Export> of(String dropwizardName) {
    Export exact = EXPORTS.get(dropwizardName);
    if (exact != null) {
      return Optional.of(exact);
    }
    String runsEnded = MetricNames.RUNS_ENDED + ".";
    if (dropwizardName.startsWith(runsEnded)) {
      return Optional.of(
          new Export(
              RUNS_ENDED_FAMILY,
              Kind.COUNTER,
              "Runs that ended, by terminal state",
              1,
              "state",
              dropwizardName.substring(runsEnded.length()),
              null));
    }
    return Optional.empty();
  }

  /** The Dropwizard metric names this table maps one to one (for tests and docs). */
  static Map<String, Export> exports() {
    return Map.copyOf(EXPORTS);
  }

  /** The factor from a bucketed metric's Dropwizard unit to seconds. */
  static double scaleOf(String dropwizardName) {
    return EXPORTS.get(dropwizardName).scale();
  }

  /** One Prometheus histogram per bucketed name, registered in {@code prometheus}. */
  static Map<String, Histogram> bucketedHistograms(PrometheusRegistry prometheus) {
    Map<String, Histogram> histograms = new LinkedHashMap<>();
    EXPORTS.forEach(
        (source, export) -> {
          if (export.kind() == Kind.HISTOGRAM) {
            histograms.put(
                source,
                Histogram.builder()
                    .name(export.name())
                    .help(export.help())
                    .classicOnly()
                    .classicUpperBounds(export.buckets())
                    .register(prometheus));
          }
        });
    return Map.copyOf(histograms);
  }

  /** The histogram of task attempts, registered in {@code prometheus}. */
  static Histogram taskDurations(PrometheusRegistry prometheus) {
    return Histogram.builder()
        .name(TASK_DURATION)
        .help("Task attempts run on this node, by task type and outcome")
        .labelNames("type", "outcome")
        .classicOnly()
        .classicUpperBounds(TASK_BUCKETS)
        .register(prometheus);
  }

  private static void gauge(String source, String name, String help) {
    put(source, new Export(name, Kind.GAUGE, help, 1, null, null, null));
  }

  private static void scaledGauge(String source, String name, String help, double scale) {
    put(source, new Export(name, Kind.GAUGE, help, scale, null, null, null));
  }

  private static void counter(String source, String name, String help) {
    put(source, new Export(name, Kind.COUNTER, help, 1, null, null, null));
  }

  private static void labelled(
      String source, String name, String help, String labelName, String labelValue) {
    put(source, new Export(name, Kind.COUNTER, help, 1, labelName, labelValue, null));
  }

  private static void histogram(
      String source, String name, String help, double scale, double[] buckets) {
    put(source, new Export(name, Kind.HISTOGRAM, help, scale, null, null, buckets));
  }

  private static void put(String source, Export export) {
    if (EXPORTS.put(source, export) != null) {
      throw new IllegalStateException("mapped twice: " + source);
    }
  }
}
