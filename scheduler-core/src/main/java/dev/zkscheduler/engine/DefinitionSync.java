package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the leader's jobs and fire plan in step with the job definitions: a new or edited job gets
 * its schedule progress persisted before its next fire is queued, and a deleted job's runs are
 * cancelled and its records removed.
 */
final class DefinitionSync {

  /** Schedule states per commit when planning: small records, well within a multi's budget. */
  private static final int PLANS_PER_COMMIT = 500;

  /** Terminal runs of a deleted job removed per commit. */
  private static final int DELETES_PER_COMMIT = 200;

  /** A job's progress to persist before its next fire is queued. */
  private record PlannedState(JobEntry entry, ScheduleState desired) {}

  private final TermState state;
  private final Map<String, PlannedState> plans = new LinkedHashMap<>();

  DefinitionSync(TermState state) {
    this.state = state;
  }

  /** A new term's plan: every job, with its stored progress (or none yet). */
  void load(
      List<Versioned<JobDefinition>> definitions,
      Map<String, Versioned<ScheduleState>> states,
      Instant now) {
    for (Versioned<JobDefinition> definition : definitions) {
      state.forJob(
          definition.value().id(),
          "loading its definition",
          () -> {
            JobEntry entry = new JobEntry(definition, states.get(definition.value().id()));
            state.jobs().put(entry.job.id(), entry);
            plan(entry, null, now);
          });
    }
    flushPlans();
  }

  /**
   * Applies the tick's definition changes: the schedule states of jobs new to this leader are read
   * in one pipelined batch, and the states to persist are written in batched multis, so that 10,000
   * jobs created at once cost a few round trips, not two each.
   */
  void apply(List<TermWork.DefinitionChange> changes) {
    if (changes.isEmpty()) {
      return;
    }
    List<String> fresh = new ArrayList<>();
    for (TermWork.DefinitionChange change : changes) {
      if (!change.deleted() && !state.jobs().containsKey(change.jobId())) {
        fresh.add(change.jobId());
      }
    }
    Map<String, Versioned<ScheduleState>> states =
        fresh.isEmpty() ? Map.of() : state.store().scheduleStates(fresh);
    for (TermWork.DefinitionChange change : changes) {
      state.forJob(
          change.jobId(),
          change.deleted() ? "removing the deleted job" : "applying its new definition",
          () -> apply(change, states));
    }
    flushPlans();
  }

  private void apply(
      TermWork.DefinitionChange change, Map<String, Versioned<ScheduleState>> states) {
    Instant now = state.clock().instant();
    Map<String, JobEntry> jobs = state.jobs();
    if (change.deleted()) {
      JobEntry gone = jobs.remove(change.jobId());
      plans.remove(change.jobId());
      if (gone != null) {
        for (Versioned<Run> run : List.copyOf(state.active().of(change.jobId()).values())) {
          state.cancel(gone, run, "job deleted");
        }
        state.flush();
        removeJobRecords(change.jobId());
      }
      state.planner().untrack(change.jobId());
      return;
    }
    Versioned<JobDefinition> definition = change.definition();
    JobEntry old = jobs.get(definition.value().id());
    if (old != null && isStale(old, definition)) {
      return;
    }
    JobEntry entry =
        new JobEntry(definition, old != null ? old.state : states.get(definition.value().id()));
    jobs.put(entry.job.id(), entry);
    plan(entry, old != null ? old.job : null, now);
  }

  /**
   * Whether a reported definition is one the plan already has, or older. The local call and the
   * watcher both report each change; a version that went back to 0 is a job deleted and created
   * again, which is news.
   */
  private static boolean isStale(JobEntry old, Versioned<JobDefinition> reported) {
    if (reported.version() == old.definitionVersion) {
      return old.job.equals(reported.value());
    }
    return reported.version() < old.definitionVersion && reported.version() != 0;
  }

  /**
   * Persists the job's progress if it changed (a new job, an edited schedule: the next fire must be
   * stored before it falls due, so a failover cannot lose it) and queues its fire.
   */
  private void plan(JobEntry entry, JobDefinition previous, Instant now) {
    state.planner().untrack(entry.job.id());
    if (entry.job.schedule() == null) {
      return;
    }
    ScheduleState desired = FirePlanner.progressFor(entry, previous, now);
    if (entry.state == null || !desired.equals(entry.state.value())) {
      // Written by flushPlans() with the others of this tick; queued for firing once written.
      plans.put(entry.job.id(), new PlannedState(entry, desired));
      return;
    }
    state.planner().schedule(entry);
  }

  private void flushPlans() {
    List<PlannedState> all = new ArrayList<>(plans.values());
    plans.clear();
    List<List<PlannedState>> chunks = new ArrayList<>();
    List<List<StoreOp>> batches = new ArrayList<>();
    for (int from = 0; from < all.size(); from += PLANS_PER_COMMIT) {
      List<PlannedState> chunk = all.subList(from, Math.min(all.size(), from + PLANS_PER_COMMIT));
      List<StoreOp> ops = new ArrayList<>();
      chunk.forEach(p -> ops.add(FirePlanner.stateOp(p.entry(), p.desired())));
      chunks.add(chunk);
      batches.add(ops);
    }
    List<CommitResult> results = batches.isEmpty() ? List.of() : state.commitEach(batches);
    for (int i = 0; i < results.size(); i++) {
      if (!results.get(i).committed()) {
        throw new TermWork.StaleViewException("writing schedule states: " + results.get(i));
      }
      for (PlannedState p : chunks.get(i)) {
        JobEntry entry = p.entry();
        entry.state =
            new Versioned<>(p.desired(), entry.state == null ? 0 : entry.state.version() + 1);
        if (state.jobs().get(entry.job.id()) == entry) {
          state.planner().schedule(entry);
        }
      }
    }
  }

  /** A deleted job's schedule state and run history go too (terminal runs only, in batches). */
  private void removeJobRecords(String jobId) {
    List<StoreOp> ops = new ArrayList<>();
    for (Versioned<Run> run : state.store().runs(jobId, Integer.MAX_VALUE)) {
      if (run.value().state().isTerminal()) {
        ops.add(new StoreOp.DeleteRun(jobId, run.value().id(), run.version()));
      }
      if (ops.size() == DELETES_PER_COMMIT) {
        state.commitOrDrop(ops);
        ops = new ArrayList<>();
      }
    }
    ops.add(new StoreOp.DeleteScheduleState(jobId));
    state.commitOrDrop(ops);
    state.active().forgetJob(jobId);
  }
}
