package dev.zkscheduler.service.metrics;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@link PrometheusNames#JOB_LAST_SUCCESS} for the jobs an operator listed: when each one's newest
 * successful run finished, for "has the nightly job succeeded in the last 26 hours" alerts. Opt-in
 * and per job because every scrape reads each listed job's retained runs from ZooKeeper; a job that
 * does not exist, or has no successful run among its retained runs, has no sample.
 */
final class JobLastSuccessCollector implements MultiCollector {

  /** As many runs as a job retains by default; older successes are gone from the store anyway. */
  private static final int RUNS_READ = 50;

  private final Scheduler scheduler;
  private final List<String> jobIds;

  JobLastSuccessCollector(Scheduler scheduler, List<String> jobIds) {
    this.scheduler = scheduler;
    this.jobIds = List.copyOf(jobIds);
  }

  @Override
  public MetricSnapshots collect() {
    GaugeSnapshot.Builder gauge =
        GaugeSnapshot.builder()
            .name(PrometheusNames.JOB_LAST_SUCCESS)
            .help("When the job's newest successful run finished (listed jobs only)");
    for (String jobId : jobIds) {
      lastSuccess(jobId)
          .ifPresent(
              seconds ->
                  gauge.dataPoint(
                      GaugeDataPointSnapshot.builder()
                          .labels(Labels.of("job_id", jobId))
                          .value(seconds)
                          .build()));
    }
    return MetricSnapshots.of(gauge.build());
  }

  private Optional<Double> lastSuccess(String jobId) {
    try {
      return scheduler.runs(jobId, RUNS_READ).stream()
          .filter(run -> run.state() == RunState.SUCCEEDED && run.finishedAt() != null)
          .map(Run::finishedAt)
          .max(Comparator.naturalOrder())
          .map(at -> at.toEpochMilli() / 1000.0);
    } catch (RuntimeException e) {
      // No such job, or ZooKeeper unreachable: no sample rather than a failed scrape.
      return Optional.empty();
    }
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(PrometheusNames.JOB_LAST_SUCCESS);
  }
}
