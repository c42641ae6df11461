package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.error.StoreUnavailableException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the leader's jobs and fire plan in step with the job definitions: a new or edited job gets
 * its schedule progress persisted before its next fire is queued, and a deleted job's runs are
 * cancelled and its records removed.
 *
 * <p>A new term that finds many jobs no leader has planned yet (a fresh cluster, a bulk import made
 * while none led) writes their first progress in order of first fire, not all before its first
 * fire: those due within {@link #FIRST_STATES_LEAD} at once, the rest {@link
 * #FIRST_STATES_PER_TICK} a tick (see {@link #writeFirstStates}). 100,000 such jobs cost about 5 s
 * of writes, which otherwise held back every fire of the term. Before it leaves any unwritten it
 * notes in the store when its plan began ({@link StoreOp.MarkFirstStatesPending}), and removes the
 * note once all are written: a term that finds the note plans the jobs still without a state from
 * then (see {@link #planFrom}), so a failover in between skips no first fire.
 */
final class DefinitionSync {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(DefinitionSync.class);

  /** Schedule states per commit when planning: small records, well within a multi's budget. */
  private static final int PLANS_PER_COMMIT = 500;

  /**
   * First schedule states a new term writes before its first fire: every one whose first fire is
   * this close, so that none falls due unwritten (and unqueued) while the others are written.
   */
  static final java.time.Duration FIRST_STATES_LEAD = java.time.Duration.ofSeconds(2);

  /** First schedule states written per tick beyond those due within {@link #FIRST_STATES_LEAD}. */
  static final int FIRST_STATES_PER_TICK = 2 * PLANS_PER_COMMIT;

  /**
   * A job's progress to persist before its next fire is queued; {@code basis} is the stored
   * progress it was computed from.
   */
  private record PlannedState(
      JobEntry entry, ScheduleState desired, Versioned<ScheduleState> basis) {
    PlannedState(JobEntry entry, ScheduleState desired) {
      this(entry, desired, entry.state);
    }
  }

  private final TermState state;
  private final JobRecords records;
  private final Map<String, PlannedState> plans = new LinkedHashMap<>();

  /** First states the term's load planned and has not written yet, by first fire (then by id). */
  private final Map<String, PlannedState> firstStates = new LinkedHashMap<>();

  /** When the term's load ended, for the log line once every first state is written. */
  private long loadedNanos;

  /** Whether the store holds the note of first states left unwritten, as this term knows. */
  private boolean firstStatesNoted;

  DefinitionSync(TermState state) {
    this.state = state;
    this.records = new JobRecords(state);
  }

  /** A new term's plan: every job, with its stored progress (or none yet). */
  void load(
      List<Versioned<JobDefinition>> definitions,
      Map<String, Versioned<ScheduleState>> states,
      Instant now) {
    Instant since = state.store().firstStatesPendingSince().orElse(null);
    firstStatesNoted = since != null;
    // A note that cannot be read: plan from now, and replace the note (or remove it) as if none.
    boolean unreadableNote = Instant.MAX.equals(since);
    if (unreadableNote) {
      since = null;
    }
    Instant from = since;
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
            plan(entry, null, planFrom(entry, from, now));
          });
    }
    deferFirstStates();
    if (!firstStates.isEmpty() && (!firstStatesNoted || unreadableNote)) {
      // Before any first state is written: a term that ends before writing them all must not
      // leave the next one to plan them from its own, later start.
      state.commitOrDrop(List.of(new StoreOp.MarkFirstStatesPending(now)));
      firstStatesNoted = true;
    }
    loadedNanos = System.nanoTime();
    writeFirstStates();
    flushPlans(); // what the load planned besides first states (a schedule edited meanwhile)
  }

  /**
   * Where the schedule of a job with no stored progress starts: this term's now, or, when an
   * earlier term left first states unwritten from {@code since}, then, or the job's last change if
   * later (a leader that sees a job created or edited plans it from then): the plan that term made
   * or would have made, so that a first fire due in between is not skipped but goes through the
   * job's misfire policy, like any fire a failover delayed. Never later than now.
   */
  static Instant planFrom(JobEntry entry, Instant since, Instant now) {
    if (since == null || entry.state != null) {
      return now;
    }
    Instant changed = entry.job.audit() == null ? null : entry.job.audit().updatedAt();
    Instant from = changed != null && changed.isAfter(since) ? changed : since;
    return from.isBefore(now) ? from : now;
  }

  /**
   * Moves the planned states of jobs that have none stored to {@link #firstStates}, by first fire.
   * Edited and recovered progress is written at once, as on every tick.
   */
  private void deferFirstStates() {
    List<PlannedState> first = new ArrayList<>();
    plans.values().removeIf(p -> p.basis() == null && first.add(p));
    first.sort(
        java.util.Comparator.comparing(
                (PlannedState p) -> p.desired().nextFire(),
                java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
            .thenComparing(p -> p.entry().job.id()));
    first.forEach(p -> firstStates.put(p.entry().job.id(), p));
  }

  /**
   * Writes the first states the load left: every one due within {@link #FIRST_STATES_LEAD}, and
   * {@link #FIRST_STATES_PER_TICK} more, each job queued for firing once its state is written. A
   * job written meanwhile (a manual run creates its record) or replaced (an edit plans it anew) is
   * planned from what it now has. Until its state is written a job is not queued, so the lead is
   * what keeps fires on time. Once none is left the note in the store goes; a failover before then
   * leaves it, and the next term plans such a job as this one did ({@link #planFrom}).
   */
  void writeFirstStates() {
    if (firstStates.isEmpty()) {
      clearFirstStatesNote();
      return;
    }
    Instant now = state.clock().instant();
    Instant lead = now.plus(FIRST_STATES_LEAD);
    int taken = 0;
    for (var it = firstStates.values().iterator(); it.hasNext(); ) {
      PlannedState p = it.next();
      Instant next = p.desired().nextFire();
      if (taken >= FIRST_STATES_PER_TICK && (next == null || next.isAfter(lead))) {
        break;
      }
      it.remove();
      taken++;
      JobEntry entry = p.entry();
      if (state.jobs().get(entry.job.id()) != entry) {
        continue; // Deleted, or replaced by an edit that planned it.
      }
      if (entry.state != p.basis()) {
        state.forJob(entry.job.id(), "planning its first fire", () -> plan(entry, null, now));
      } else {
        plans.put(entry.job.id(), p);
      }
    }
    flushPlans();
    if (firstStates.isEmpty()) {
      clearFirstStatesNote();
      log.info(
          "term {}: the first schedule states of the jobs no leader had planned are written, {} ms"
              + " after the plan was loaded",
          state.term().epoch(),
          (System.nanoTime() - loadedNanos) / 1_000_000);
    }
  }

  private void clearFirstStatesNote() {
    if (firstStatesNoted) {
      state.commitOrDrop(List.of(new StoreOp.ClearFirstStatesPending()));
      firstStatesNoted = false;
    }
  }

  /** Jobs whose first schedule state the term has not written yet (so not queued for firing). */
  int firstStatesPending() {
    return firstStates.size();
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
    flushPlans();
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
      forgetPlan(jobId);
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
      forgetPlan(jobId);
      JobEntry entry =
          new JobEntry(
              definition,
              forgetEarlierCreation(
                  definition, old.state == null ? null : withCreation(old.state, old.created)));
      jobs.put(jobId, entry);
      state.planner().untrack(jobId);
      if (entry.job.schedule() != null) {
        plans.put(jobId, new PlannedState(entry, FirePlanner.fresh(entry, now)));
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
    forgetPlan(entry.job.id());
    state.planner().untrack(entry.job.id());
    if (entry.job.schedule() == null) {
      return;
    }
    ScheduleState desired = FirePlanner.progressFor(entry, previous, now);
    if (entry.state == null || !desired.sameProgress(entry.state.value())) {
      // Written by flushPlans() with the others of this tick; queued for firing once written.
      plans.put(entry.job.id(), new PlannedState(entry, desired));
      return;
    }
    state.planner().schedule(entry);
  }

  private void forgetPlan(String jobId) {
    plans.remove(jobId);
    firstStates.remove(jobId);
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
    List<CommitResult> results;
    try {
      results = batches.isEmpty() ? List.of() : state.commitEach(batches);
    } catch (RecordTooLargeException tooLarge) {
      // Nothing was written: one job's record over the budget (a list of runs in flight that
      // outgrew it) must not hold back the others. Each job's state is written alone, a refusal
      // failing that job only (out of the fire plan until it is edited or a new term loads it).
      all.forEach(this::flushAlone);
      return;
    }
    for (int i = 0; i < results.size(); i++) {
      if (!results.get(i).committed()) {
        throw new TermWork.StaleViewException("writing schedule states: " + results.get(i));
      }
      chunks.get(i).forEach(this::planned);
    }
  }

  private void flushAlone(PlannedState p) {
    state.forJob(
        p.entry().job.id(),
        "writing its schedule state",
        () -> {
          state.commitOrDrop(List.of(FirePlanner.stateOp(p.entry(), p.desired())));
          planned(p);
        });
  }

  /** Queues a job whose planned state was written (the write path took it into the entry). */
  private void planned(PlannedState p) {
    JobEntry entry = p.entry();
    if (state.jobs().get(entry.job.id()) == entry) {
      state.planner().schedule(entry);
    }
  }
}
