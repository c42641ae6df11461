package dev.zkscheduler.engine;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.SchedulerStore;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.store.memory.InMemorySchedulerStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The in-memory store, recording every multi it committed in order, and refusing (as a conflict,
 * nothing written) the multis a test picks: the leader's writes can be checked for their order and
 * for what happens when one is refused.
 */
final class RecordingStore implements SchedulerStore {

  private final InMemorySchedulerStore delegate;
  private final List<List<StoreOp>> committed = new CopyOnWriteArrayList<>();
  private volatile Predicate<List<StoreOp>> refuse = ops -> false;
  private volatile Predicate<String> unreadable = id -> false;
  private final java.util.concurrent.atomic.AtomicInteger runReads =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger failedActiveReads =
      new java.util.concurrent.atomic.AtomicInteger();

  RecordingStore(InMemorySchedulerStore delegate) {
    this.delegate = delegate;
  }

  /** Every multi committed so far, in commit order. */
  List<List<StoreOp>> committed() {
    return List.copyOf(committed);
  }

  /** From now on, reading a job {@code which} accepts fails as an undecodable definition does. */
  void unreadable(Predicate<String> which) {
    this.unreadable = which;
  }

  /** Refuses from now on every multi {@code which} accepts. */
  void refuse(Predicate<List<StoreOp>> which) {
    this.refuse = which;
  }

  /** The index in {@link #committed()} of the first multi holding an op {@code which} accepts. */
  int firstCommitWith(Predicate<StoreOp> which) {
    List<List<StoreOp>> all = committed();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).stream().anyMatch(which)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public CommitResult commit(LeaderTerm term, List<StoreOp> ops) {
    if (refuse.test(ops)) {
      return new CommitResult(CommitResult.Outcome.CONFLICT, 0);
    }
    CommitResult result = delegate.commit(term, ops);
    if (result.committed()) {
      committed.add(List.copyOf(ops));
    }
    return result;
  }

  @Override
  public Versioned<JobDefinition> createJob(JobDefinition job) {
    return delegate.createJob(job);
  }

  @Override
  public Versioned<JobDefinition> putJob(JobDefinition job, OptionalInt expectedVersion) {
    return delegate.putJob(job, expectedVersion);
  }

  @Override
  public boolean deleteJob(String jobId, OptionalInt expectedVersion) {
    return delegate.deleteJob(jobId, expectedVersion);
  }

  @Override
  public Optional<Versioned<JobDefinition>> job(String jobId) {
    if (unreadable.test(jobId)) {
      throw new IllegalStateException("stored job " + jobId + " is not valid JSON");
    }
    return delegate.job(jobId);
  }

  @Override
  public JobPage jobs(String afterId, int limit) {
    return delegate.jobs(afterId, limit);
  }

  @Override
  public List<Versioned<JobDefinition>> allJobs() {
    return delegate.allJobs();
  }

  @Override
  public void submitRequest(ControlRequest request) {
    delegate.submitRequest(request);
  }

  @Override
  public List<ControlRequest> pendingRequests() {
    return delegate.pendingRequests();
  }

  @Override
  public Optional<Versioned<ScheduleState>> scheduleState(String jobId) {
    return delegate.scheduleState(jobId);
  }

  @Override
  public Map<String, Versioned<ScheduleState>> scheduleStates(Collection<String> jobIds) {
    return delegate.scheduleStates(jobIds);
  }

  @Override
  public Map<String, Versioned<ScheduleState>> allScheduleStates() {
    return delegate.allScheduleStates();
  }

  @Override
  public Optional<java.time.Instant> firstStatesPendingSince() {
    return delegate.firstStatesPendingSince();
  }

  @Override
  public Optional<Versioned<Run>> run(String jobId, String runId) {
    runReads.incrementAndGet();
    return delegate.run(jobId, runId);
  }

  /** Reads of one run so far ({@link #run}). */
  int runReads() {
    return runReads.get();
  }

  @Override
  public List<Versioned<Run>> runs(String jobId, int limit) {
    return delegate.runs(jobId, limit);
  }

  @Override
  public List<String> runIds(String jobId) {
    return delegate.runIds(jobId);
  }

  /** The next {@code times} reads of the active runs fail as an unreachable store does. */
  void failActiveRuns(int times) {
    failedActiveReads.set(times);
  }

  @Override
  public List<dev.zkscheduler.cluster.AssignedAttempt> assignments() {
    return delegate.assignments();
  }

  @Override
  public dev.zkscheduler.store.ListedRuns listedRuns(
      java.util.Collection<Versioned<dev.zkscheduler.store.ScheduleState>> states) {
    if (failedActiveReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new dev.zkscheduler.error.StoreUnavailableException(
          "active runs not read (test)", null);
    }
    return delegate.listedRuns(states);
  }
}
