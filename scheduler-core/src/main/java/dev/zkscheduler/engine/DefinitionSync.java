package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the leader's jobs and fire plan in step with the job definitions: a new or edited job gets
 * its schedule progress persisted before its next fire is queued, and a deleted job's runs are
 * cancelled and its records removed.
 *
 * <p>What is planned is written by {@link PlannedStates}: the first progress of jobs no leader has
 * planned yet in order of first fire, behind a note in the store that a failover does not lose.
 */
final class DefinitionSync {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(DefinitionSync.class);

  /** See {@link PlannedStates#FIRST_STATES_LEAD}. */
  static final java.time.Duration FIRST_STATES_LEAD = PlannedStates.FIRST_STATES_LEAD;

  /** See {@link PlannedStates#FIRST_STATES_PER_TICK}. */
  static final int FIRST_STATES_PER_TICK = PlannedStates.FIRST_STATES_PER_TICK;

  private final TermState state;
  private final JobRecords records;
  private final PlannedStates plans;

  DefinitionSync(TermState state) {
    this.state = state;
    this.records = new JobRecords(state);
    this.plans =
        new PlannedStates(
            state,
            (entry, now) ->
                state.forJob(
                    entry.job.id(), "planning its first fire", () -> plan(entry, null, now)));
  }

  /** A new term's plan: every job, with its stored progress (or none yet). */
  void load(
      List<Versioned<JobDefinition>> definitions,
      Map<String, Versioned<ScheduleState>> states,
      Instant now) {
    Instant from = plans.readNote();
    for (Versioned<JobDefinition> listed : definitions) {
      String jobId = listed.value().id();
      state.forJob(
          jobId,
          "loading its definition",
          () -> {
            Versioned<ScheduleState> stored = states.get(jobId);
            Versioned<JobDefinition> definition = current(listed, stored);
            if (definition == null) {
              return; // Deleted since it was listed: the watch reports it.
            }
            JobEntry entry = new JobEntry(definition, forgetEarlierCreation(definition, stored));
            state.jobs().put(entry.job.id(), entry);
            plan(entry, null, PlannedStates.planFrom(entry, from, now));
          });
    }
    plans.loaded(now);
  }

  /** See {@link PlannedStates#writeFirstStates}. */
  void writeFirstStates() {
    plans.writeFirstStates();
  }

  /** Jobs whose first schedule state the term has not written yet (so not queued for firing). */
  int firstStatesPending() {
    return plans.firstStatesPending();
  }

  /**
   * When {@code stored} is the progress of the job this id named before it was deleted and created
   * again as {@code definition}: removes that job's history first (the stored progress is the only
   * evidence, so it goes before the new job's progress replaces it: a failure in between leaves the
   * evidence for the next try) and, if the new job has no schedule to write progress for, the old
   * progress too.
   *
   * @return the progress to plan with: {@code stored}, or null once it was removed
   */
  private Versioned<ScheduleState> forgetEarlierCreation(
      Versioned<JobDefinition> definition, Versioned<ScheduleState> stored) {
    if (stored == null
        || !Versioned.earlierCreation(stored.value().jobCreated(), definition.created())) {
      return stored;
    }
    String jobId = definition.value().id();
    records.removeEarlierCreation(jobId, definition.created());
    if (definition.value().schedule() != null) {
      return stored; // Replaced by fresh progress: see FirePlanner.progressFor.
    }
    if (state.lists().listsRunsInFlight(jobId, stored.value())) {
      // It lists the old job's runs in flight, which the takeover ends and removes: it is how a
      // next leader would find them if this one died first. It goes once it lists none.
      return stored;
    }
    state.commitOrDrop(List.of(new StoreOp.DeleteScheduleState(jobId)));
    return null;
  }

  /**
   * After the runs were adopted: removes the schedule progress and terminal runs of jobs that are
   * gone (deleted while no leader watched). {@code states} is what {@link #load} was given; {@code
   * deleted} the jobs whose runs the adoption found deleted.
   */
  void collectLeftovers(Map<String, Versioned<ScheduleState>> states, Set<String> deleted) {
    Set<String> unloaded = new HashSet<>(deleted);
    states.keySet().stream().filter(id -> !state.jobs().containsKey(id)).forEach(unloaded::add);
    if (!unloaded.isEmpty()) {
      records.collectOrphans(unloaded, state.store().allJobIds());
    }
  }

  /**
   * The definition to plan with: {@code listed}, unless the stored progress was computed from a
   * later version or creation of it (the watch that listed it lags behind), then the store's; null
   * if the store has none any more.
   */
  private Versioned<JobDefinition> current(
      Versioned<JobDefinition> listed, Versioned<ScheduleState> stored) {
    if (stored == null || !behind(listed, stored.value())) {
      return listed;
    }
    return state.store().job(listed.value().id()).orElse(null);
  }

  /**
   * Whether {@code progress} was computed from a later definition than {@code listed}: a later
   * creation, or a later version of the same one (of any, when a creation is not known, as in
   * progress written before it was recorded).
   */
  private static boolean behind(Versioned<JobDefinition> listed, ScheduleState progress) {
    if (progress.jobCreated() == 0 || listed.created() == 0) {
      return progress.definitionVersion() > listed.version();
    }
    return progress.jobCreated() > listed.created()
        || (progress.jobCreated() == listed.created()
            && progress.definitionVersion() > listed.version());
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
    changes = withoutPlanned(changes);
    List<String> fresh = new ArrayList<>();
    for (TermWork.DefinitionChange change : changes) {
      // A delete too: one whose job is in the store again is applied as that job's change.
      if (!state.jobs().containsKey(change.jobId())) {
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
    plans.flush();
  }

  /**
   * {@code changes} without the reports of the very definitions the plan holds. A new term's plan
   * comes from the watch's snapshot, and the watch reports each definition it loads as well: on a
   * cold start with 100,000 jobs the first tick was handed all of them again.
   */
  private List<TermWork.DefinitionChange> withoutPlanned(List<TermWork.DefinitionChange> changes) {
    List<TermWork.DefinitionChange> news = new ArrayList<>(changes.size());
    for (TermWork.DefinitionChange change : changes) {
      JobEntry planned = change.deleted() ? null : state.jobs().get(change.jobId());
      Versioned<JobDefinition> reported = change.definition();
      if (planned == null
          || planned.job != reported.value()
          || planned.definitionVersion != reported.version()
          || planned.created != reported.created()) {
        news.add(change);
      }
    }
    return news;
  }

  private void apply(
      TermWork.DefinitionChange change, Map<String, Versioned<ScheduleState>> states) {
    Instant now = state.clock().instant();
    Map<String, JobEntry> jobs = state.jobs();
    if (change.deleted() && stillStored(change.jobId(), states)) {
      return;
    }
    if (change.deleted()) {
      String jobId = change.jobId();
      JobEntry gone = jobs.get(jobId);
      plans.forget(jobId);
      state.planner().untrack(jobId);
      if (gone == null) {
        return;
      }
      try {
        // The entry stays until its records are removed: the write path checks, against what it
        // lists, that the schedule state goes only once it lists no run in flight.
        endRuns(gone, "job deleted");
        if (gone.state != null && state.lists().listsRunsInFlight(jobId, gone.state.value())) {
          // It lists a run this leader does not hold (one it could not read): it is how a next
          // term finds that run, ends it and then removes the record (see collectLeftovers).
          log.warn(
              "job {} deleted: its schedule state is kept, it lists runs in flight this leader does"
                  + " not hold: {}",
              jobId,
              gone.state.value().activeRunIds());
          state.active().forgetJob(jobId);
        } else {
          records.removeJob(jobId);
        }
      } finally {
        jobs.remove(jobId, gone);
      }
      return;
    }
    Versioned<JobDefinition> definition = change.definition();
    String jobId = definition.value().id();
    JobEntry old = jobs.get(jobId);
    if (old != null && isStale(old, definition)) {
      return;
    }
    if (old == null) {
      Versioned<ScheduleState> stored = states.get(jobId);
      definition = current(definition, stored);
      if (definition == null) {
        return;
      }
      JobEntry entry = new JobEntry(definition, forgetEarlierCreation(definition, stored));
      jobs.put(jobId, entry);
      plan(entry, null, now);
      return;
    }
    if (Versioned.earlierCreation(old.created, definition.created())) {
      // Deleted and created again between two reports: the runs and history are the old job's.
      endRuns(old, "job deleted (created again under the same id)");
      plans.forget(jobId);
      JobEntry entry =
          new JobEntry(
              definition,
              forgetEarlierCreation(
                  definition, old.state == null ? null : withCreation(old.state, old.created)));
      jobs.put(jobId, entry);
      state.planner().untrack(jobId);
      if (entry.job.schedule() != null) {
        plans.put(entry, FirePlanner.fresh(entry, now));
      }
      return;
    }
    JobEntry entry = new JobEntry(definition, old.state);
    jobs.put(jobId, entry);
    plan(entry, old.job, now);
  }

  /**
   * Whether a reported delete is out of date: the job is in the store again (created again by
   * another node after the delete, and the report of the new job may come first or later). Then the
   * store's definition is what the plan must hold, and it is applied as a change. A definition that
   * cannot be read leaves the plan as it is: its records must not go with it.
   */
  private boolean stillStored(String jobId, Map<String, Versioned<ScheduleState>> states) {
    Versioned<JobDefinition> stored;
    try {
      stored = state.store().job(jobId).orElse(null);
    } catch (StoreUnavailableException e) {
      throw e;
    } catch (RuntimeException unreadable) {
      log.error("job {}: deleted, then unreadable in the store; its plan is kept", jobId);
      return true;
    }
    if (stored != null) {
      apply(new TermWork.DefinitionChange(jobId, stored), states);
      return true;
    }
    return false;
  }

  /** {@code progress} as naming {@code created} (it may predate the field). */
  private static Versioned<ScheduleState> withCreation(
      Versioned<ScheduleState> progress, long created) {
    ScheduleState p = progress.value();
    return new Versioned<>(
        new ScheduleState(
            p.jobId(),
            p.lastNominalFire(),
            p.nextFire(),
            p.definitionVersion(),
            created,
            p.activeRunIds()),
        progress.version(),
        progress.created());
  }

  /** Cancels the job's active runs and writes the cancellations. */
  private void endRuns(JobEntry entry, String reason) {
    for (Versioned<Run> run : List.copyOf(state.active().of(entry.job.id()).values())) {
      state.cancel(entry, run, reason);
    }
    state.flush();
  }

  /**
   * Whether a reported definition is one the plan already has, or older. The local call and the
   * watcher both report each change. Of two creations of a job's record (deleted and created again)
   * the later one is news; when a creation is not known, a version that went back to 0 is taken for
   * a new creation.
   */
  private static boolean isStale(JobEntry old, Versioned<JobDefinition> reported) {
    if (Versioned.differentCreations(old.created, reported.created())) {
      return reported.created() < old.created;
    }
    if (reported.version() == old.definitionVersion) {
      return old.job.equals(reported.value());
    }
    boolean sameCreation = old.created != 0 && old.created == reported.created();
    return reported.version() < old.definitionVersion && (sameCreation || reported.version() != 0);
  }

  /**
   * Persists the job's progress if it changed (a new job, an edited schedule: the next fire must be
   * stored before it falls due, so a failover cannot lose it) and queues its fire.
   */
  private void plan(JobEntry entry, JobDefinition previous, Instant now) {
    plans.forget(entry.job.id());
    state.planner().untrack(entry.job.id());
    if (entry.job.schedule() == null) {
      return;
    }
    ScheduleState desired = FirePlanner.progressFor(entry, previous, now);
    if (entry.state == null || !desired.sameProgress(entry.state.value())) {
      // Written by flush() with the others of this tick; queued for firing once written.
      plans.put(entry, desired);
      return;
    }
    state.planner().schedule(entry);
  }
}
