package dev.zkscheduler.store;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything the engine persists. Two kinds of state live here:
 *
 * <ul>
 *   <li>Job definitions and control requests: written by any node, with optimistic versions; they
 *       are the users' input, not scheduler state.
 *   <li>Schedule state and runs: scheduler state. Written only through {@link #commit}, which
 *       applies a batch atomically and only if {@code term} is still the current leader term —
 *       checked by the store itself (ZooKeeper, in the real one), never by a local flag.
 * </ul>
 *
 * <p>Implementations are thread-safe. Every write checks its encoded size against the store's
 * budget first and refuses oversized records with {@link RecordTooLargeException} before anything
 * is written.
 */
public interface SchedulerStore {

  // ---- job definitions (any node) ----

  /**
   * Creates a job definition.
   *
   * @throws JobExistsException if a job with that id exists
   */
  Versioned<JobDefinition> createJob(JobDefinition job);

  /**
   * Creates or replaces a job definition. With {@code expectedVersion} present the job must exist
   * at that version.
   *
   * @throws VersionConflictException on a version mismatch (or a missing job when one was expected)
   */
  Versioned<JobDefinition> putJob(JobDefinition job, OptionalInt expectedVersion);

  /**
   * Deletes a job definition. Returns false if there was no such job. Its schedule state and runs
   * are scheduler state: the leader cancels the active runs and removes those records in fenced
   * commits when it sees the definition gone.
   *
   * @throws VersionConflictException on a version mismatch
   */
  boolean deleteJob(String jobId, OptionalInt expectedVersion);

  Optional<Versioned<JobDefinition>> job(String jobId);

  /**
   * Up to {@code limit} jobs with ids strictly greater than {@code afterId} (null: from the start).
   */
  JobPage jobs(String afterId, int limit);

  /** Every job definition; used by a new leader to rebuild its plan. */
  List<Versioned<JobDefinition>> allJobs();

  /** The id of every job, without reading the definitions. */
  default java.util.Set<String> allJobIds() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    allJobs().forEach(job -> ids.add(job.value().id()));
    return ids;
  }

  // ---- control requests (any node writes, the leader consumes) ----

  void submitRequest(ControlRequest request);

  List<ControlRequest> pendingRequests();

  // ---- scheduler state (read by anyone, written by the leader through commit) ----

  Optional<Versioned<ScheduleState>> scheduleState(String jobId);

  /** The schedule states of {@code jobIds} that have one, by job id, in one bulk read. */
  Map<String, Versioned<ScheduleState>> scheduleStates(java.util.Collection<String> jobIds);

  /** The schedule state of every job that has one, by job id (a new leader's one bulk read). */
  Map<String, Versioned<ScheduleState>> allScheduleStates();

  /**
   * When the plan began whose first schedule states a term left unwritten ({@link
   * StoreOp.MarkFirstStatesPending}); empty when every job that has a schedule has a state. A note
   * that cannot be read reads as {@link java.time.Instant#MAX}: its start is unknown, so the reader
   * plans from its own now and replaces or removes the note.
   */
  Optional<java.time.Instant> firstStatesPendingSince();

  Optional<Versioned<Run>> run(String jobId, String runId);

  /** The job's runs, newest first (run ids sort by time), at most {@code limit}. */
  List<Versioned<Run>> runs(String jobId, int limit);

  /** The ids of the job's runs, newest first: one listing, no record read (for retention). */
  List<String> runIds(String jobId);

  /**
   * Reads the runs {@code states} list as in flight ({@link ScheduleState#activeRunIds}), in one
   * bulk read: a new leader finds every non-terminal run this way, since every one is listed in its
   * job's schedule state at every committed state, and learns which listed ids it may drop.
   */
  ListedRuns listedRuns(java.util.Collection<Versioned<ScheduleState>> states);

  /**
   * Every run not in a terminal state, across all jobs: the runs listed in every schedule state
   * that are not terminal (two bulk reads). A leader that already read the schedule states calls
   * {@link #listedRuns} instead.
   */
  default List<Versioned<Run>> activeRuns() {
    return listedRuns(allScheduleStates().values()).active();
  }

  /**
   * Every assignment of every worker, with its report if the worker wrote one; read by a new leader
   * to take over the attempts in flight.
   */
  List<dev.zkscheduler.cluster.AssignedAttempt> assignments();

  /**
   * Applies {@code ops} atomically if and only if {@code term} is still the current leader term.
   *
   * @return {@link CommitResult#COMMITTED}, or which op's precondition failed (nothing written)
   * @throws FencingException if the term is no longer current; nothing was written
   */
  CommitResult commit(LeaderTerm term, List<StoreOp> ops);

  /**
   * Commits each of {@code batches} as its own atomic, fenced {@link #commit}; a store may have
   * several in flight at once (independent batches: one failing does not stop the others).
   *
   * @return one result per batch, in order
   * @throws FencingException if the term is no longer current (later batches may not be tried)
   * @throws dev.zkscheduler.error.RecordTooLargeException if any batch is over the commit budget,
   *     before any batch is written (the caller may split and send again)
   */
  default List<CommitResult> commitEach(LeaderTerm term, List<List<StoreOp>> batches) {
    List<CommitResult> results = new java.util.ArrayList<>(batches.size());
    for (List<StoreOp> batch : batches) {
      results.add(commit(term, batch));
    }
    return results;
  }
}
