package dev.zkscheduler.store.zk;

import com.codahale.metrics.MetricRegistry;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.ListedRuns;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.zk.ZkLayout;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;

/**
 * {@link SchedulerStore} on ZooKeeper, in the layout of {@link ZkLayout}
 * (docs/zookeeper-layout.md).
 *
 * <p>Job definitions ({@link JobDefinitions}) and requests ({@link ControlRequests}) are written
 * directly with optimistic versions; schedule state and runs only through {@link FencedTransaction}
 * ({@link LeaderCommits}), and read by {@link SchedulerStateReads}. No call lists a parent whose
 * children are not bounded: jobs and the active-run index are spread over {@value ZkLayout#BUCKETS}
 * buckets, runs per job are bounded by retention, requests by {@link
 * StoreLimits#maxPendingRequests()}. Call {@link LayoutMigrator#ensureLayout} before use.
 * Thread-safe.
 */
public final class ZkSchedulerStore implements SchedulerStore {

  private final JobDefinitions jobs;
  private final ControlRequests requests;
  private final SchedulerStateReads state;
  private final LeaderCommits commits;
  private final AssignmentReads assignmentReads;

  public ZkSchedulerStore(
      CuratorFramework client,
      ZkLayout layout,
      FencedTransaction fenced,
      StoreLimits limits,
      MetricRegistry registry) {
    MetricRegistry metrics = registry != null ? registry : new MetricRegistry();
    RecordSizes sizes = new RecordSizes(limits, metrics.counter(MetricNames.STORE_OVERSIZED));
    PipelinedReader reader = new PipelinedReader(client);
    this.assignmentReads = new AssignmentReads(client, layout, reader);
    this.jobs =
        new JobDefinitions(
            client, layout, reader, sizes, metrics.counter(MetricNames.STORE_UNREADABLE));
    this.requests = new ControlRequests(client, layout, reader, limits, sizes);
    this.state =
        new SchedulerStateReads(
            client, layout, reader, metrics.counter(MetricNames.STORE_UNREADABLE));
    this.commits =
        new LeaderCommits(client, layout, fenced, sizes, new RunParents(client, layout, reader));
  }

  // ---- job definitions ----

  @Override
  public Versioned<JobDefinition> createJob(JobDefinition job) {
    return jobs.create(job);
  }

  @Override
  public Versioned<JobDefinition> putJob(JobDefinition job, OptionalInt expectedVersion) {
    return jobs.put(job, expectedVersion);
  }

  @Override
  public boolean deleteJob(String jobId, OptionalInt expectedVersion) {
    return jobs.delete(jobId, expectedVersion);
  }

  @Override
  public Optional<Versioned<JobDefinition>> job(String jobId) {
    return jobs.job(jobId);
  }

  @Override
  public JobPage jobs(String afterId, int limit) {
    return jobs.page(afterId, limit);
  }

  @Override
  public List<Versioned<JobDefinition>> allJobs() {
    return jobs.all();
  }

  @Override
  public Set<String> allJobIds() {
    return jobs.allIds();
  }

  // ---- control requests ----

  @Override
  public void submitRequest(ControlRequest request) {
    requests.submit(request);
  }

  @Override
  public List<ControlRequest> pendingRequests() {
    return requests.pending();
  }

  // ---- scheduler state ----

  @Override
  public Optional<Versioned<ScheduleState>> scheduleState(String jobId) {
    return state.scheduleState(jobId);
  }

  @Override
  public Map<String, Versioned<ScheduleState>> scheduleStates(Collection<String> jobIds) {
    return state.scheduleStates(jobIds);
  }

  @Override
  public Map<String, Versioned<ScheduleState>> allScheduleStates() {
    return state.allScheduleStates();
  }

  @Override
  public Optional<java.time.Instant> firstStatesPendingSince() {
    return state.firstStatesPendingSince();
  }

  @Override
  public Optional<Versioned<Run>> run(String jobId, String runId) {
    return state.run(jobId, runId);
  }

  @Override
  public List<Versioned<Run>> runs(String jobId, int limit) {
    return state.runs(jobId, limit);
  }

  @Override
  public List<String> runIds(String jobId) {
    return state.runIds(jobId);
  }

  @Override
  public ListedRuns listedRuns(Collection<Versioned<ScheduleState>> states) {
    return state.listedRuns(states);
  }

  @Override
  public List<dev.zkscheduler.cluster.AssignedAttempt> assignments() {
    return ZkCall.run(assignmentReads::all);
  }

  @Override
  public CommitResult commit(LeaderTerm term, List<StoreOp> ops) {
    return commits.commit(term, ops);
  }

  @Override
  public List<CommitResult> commitEach(LeaderTerm term, List<List<StoreOp>> batches) {
    return commits.commitEach(term, batches);
  }
}
