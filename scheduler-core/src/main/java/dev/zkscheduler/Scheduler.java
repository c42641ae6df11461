package dev.zkscheduler;

import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.engine.JobStatus;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.Versioned;
import java.io.Closeable;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The embeddable scheduler. Any node serves every call; only the elected leader changes scheduler
 * state: calls that need the leader (trigger, cancel, backfill) are recorded as requests that the
 * leader carries out in fenced writes, so they are safe on a follower.
 *
 * <p>Thread-safe. {@link #start()} once; {@link #close()} is idempotent and bounded: it stops
 * firing, cancels or drains running tasks per configuration, releases leadership at once and closes
 * what it opened, in reverse order.
 *
 * <p>Errors: {@code JobValidationException} (invalid input, names the field), {@code
 * JobExistsException}, {@code VersionConflictException}, {@link NoSuchJobException}, {@link
 * NoSuchRunException}, {@code RecordTooLargeException}, {@code StoreUnavailableException}.
 */
public interface Scheduler extends Closeable {

  /** A builder: on ZooKeeper, in memory, or on explicit parts. */
  static SchedulerBuilder builder() {
    return new SchedulerBuilder();
  }

  void start();

  @Override
  void close();

  // ---- jobs ----
  //
  // The calls that write a job record it in the job's audit (JobAudit): who, named by the optional
  // actor (this node's member id when none is given), and when, by this node's clock. An audit on
  // the job passed in is replaced.

  /** Creates the job; {@code createdBy} and {@code updatedBy} are this node's member id. */
  Versioned<JobDefinition> createJob(JobDefinition job);

  /** Creates the job on behalf of {@code actor} (a non-blank name, e.g. a user's). */
  Versioned<JobDefinition> createJob(JobDefinition job, String actor);

  /** Creates or replaces; with {@code expectedVersion} the job must exist at that version. */
  Versioned<JobDefinition> putJob(JobDefinition job, OptionalInt expectedVersion);

  /**
   * As {@link #putJob(JobDefinition, OptionalInt)} on behalf of {@code actor}: a replaced job keeps
   * who created it and when; {@code updatedBy} becomes {@code actor}.
   */
  Versioned<JobDefinition> putJob(JobDefinition job, OptionalInt expectedVersion, String actor);

  /** Deletes the job; its active runs are cancelled by the leader. False if there was no job. */
  boolean deleteJob(String jobId, OptionalInt expectedVersion);

  Optional<Versioned<JobDefinition>> job(String jobId);

  JobPage jobs(String afterId, int limit);

  /**
   * @throws NoSuchJobException
   */
  JobStatus status(String jobId);

  /**
   * @throws NoSuchJobException
   */
  Versioned<JobDefinition> pause(String jobId);

  /** Pauses on behalf of {@code actor}; a job already paused is answered as it is. */
  Versioned<JobDefinition> pause(String jobId, String actor);

  /** Resumes; the misfire policy decides what happens to fires missed while paused. */
  Versioned<JobDefinition> resume(String jobId);

  /** Resumes on behalf of {@code actor}; a job not paused is answered as it is. */
  Versioned<JobDefinition> resume(String jobId, String actor);

  /** A manual run now; returns its run id at once (the leader creates the run). */
  String trigger(String jobId);

  /**
   * One run per nominal fire time in [from, to), bounded in count; returns their run ids. Only fire
   * times that have passed: a range reaching one still to come is refused on {@code to}.
   */
  List<String> backfill(String jobId, Instant from, Instant to);

  /** The next {@code count} (≤ 1000) fire times strictly after {@code from}, in the job's zone. */
  List<ZonedDateTime> preview(String jobId, Instant from, int count);

  // ---- runs ----

  /** Newest first. @throws NoSuchJobException */
  List<Run> runs(String jobId, int limit);

  Optional<Run> run(String jobId, String runId);

  /**
   * Asks the leader to cancel the run. @throws NoSuchRunException if it does not exist. A run
   * already terminal stays as it is.
   */
  void cancel(String jobId, String runId);

  // ---- cluster ----

  ClusterStatus cluster();

  boolean isLeader();

  /** The task types this scheduler can run (its registered handlers). */
  Set<String> taskTypes();
}
