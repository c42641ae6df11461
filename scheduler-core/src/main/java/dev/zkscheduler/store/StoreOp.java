package dev.zkscheduler.store;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.dag.Run;
import java.time.Instant;

/**
 * One write of a fenced commit. A commit applies all its ops or none. {@code expectedVersion} is
 * the version read before the change; {@link #CREATE} means "must not exist yet".
 */
public sealed interface StoreOp {

  int CREATE = -1;

  /** For {@link DeleteRun}: delete whatever version is there. */
  int ANY_VERSION = -1;

  /** Create a run; fails the commit with {@link CommitResult.Outcome#EXISTED} if it exists. */
  record CreateRun(Run run) implements StoreOp {}

  record UpdateRun(Run run, int expectedVersion) implements StoreOp {}

  record DeleteRun(String jobId, String runId, int expectedVersion) implements StoreOp {}

  /** Create ({@code expectedVersion == CREATE}) or update a job's schedule state. */
  record PutScheduleState(ScheduleState state, int expectedVersion) implements StoreOp {}

  record DeleteScheduleState(String jobId) implements StoreOp {}

  /** Remove a consumed control request. Missing is fine (already consumed). */
  record DeleteRequest(String requestId) implements StoreOp {}

  /**
   * Give an attempt to a worker: the worker sees it and runs it. Written with the run change that
   * marks the attempt RUNNING on that worker. {@code assignedAt} is the leader's clock; a store
   * with a clock of its own may keep that instead.
   */
  record Assign(Assignment assignment, Instant assignedAt) implements StoreOp {}

  /**
   * Take an assignment back (its attempt settled, cancelled or timed out): the worker stops it if
   * it still runs, and its report, if any, goes with it. It must exist.
   */
  record Unassign(Assignment assignment) implements StoreOp {}

  /**
   * Notes that a term planned first schedule states from {@code since} and has not written them
   * all: a later term plans the jobs still without one from then, not from its own start, so a
   * first fire that fell due in between goes through the misfire policy. Creates or replaces the
   * note.
   */
  record MarkFirstStatesPending(Instant since) implements StoreOp {}

  /** Every first schedule state is written: removes the note. Missing is fine. */
  record ClearFirstStatesPending() implements StoreOp {}
}
