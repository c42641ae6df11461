package dev.zkscheduler.engine;

import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The schedule progress a term has planned and not written yet, and how it is written: in batched
 * fenced multis, each job queued for firing once its progress is stored.
 *
 * <p>The first progress of jobs no leader has planned yet (a fresh cluster, a bulk import made
 * while none led) is written in order of first fire, not all before the term's first fire: those
 * due within {@link #FIRST_STATES_LEAD} at once, the rest {@link #FIRST_STATES_PER_TICK} a tick
 * (see {@link #writeFirstStates}). 100,000 such jobs cost about 5 s of writes, which otherwise held
 * back every fire of the term. Before it leaves any unwritten the term notes in the store when its
 * plan began ({@link StoreOp.MarkFirstStatesPending}), and removes the note once all are written: a
 * term that finds the note plans the jobs still without a state from then (see {@link #planFrom}),
 * so a failover in between skips no first fire. Tick thread only.
 */
final class PlannedStates {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(PlannedStates.class);

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

  /** Plans a job again from scratch at the given now (its stored record changed meanwhile). */
  private final BiConsumer<JobEntry, Instant> replan;

  /** Planned states to write with the next flush, by job id. */
  private final Map<String, PlannedState> plans = new LinkedHashMap<>();

  /** First states the term's load planned and has not written yet, by first fire (then by id). */
  private final Map<String, PlannedState> firstStates = new LinkedHashMap<>();

  /** When the term's load ended, for the log line once every first state is written. */
  private long loadedNanos;

  /** Whether the store holds the note of first states left unwritten, as this term knows. */
  private boolean firstStatesNoted;

  /** Whether the note the load found could not be read (it is then replaced or removed). */
  private boolean unreadableNote;

  PlannedStates(TermState state, BiConsumer<JobEntry, Instant> replan) {
    this.state = state;
    this.replan = replan;
  }

  /** Plans {@code desired} as the job's progress, written by the next {@link #flush}. */
  void put(JobEntry entry, ScheduleState desired) {
    plans.put(entry.job.id(), new PlannedState(entry, desired));
  }

  /**
   * Reads the note of first states an earlier term left unwritten, for a term's load: where the
   * jobs without stored progress start ({@link #planFrom}), null for "now".
   */
  Instant readNote() {
    Instant since = state.store().firstStatesPendingSince().orElse(null);
    firstStatesNoted = since != null;
    // A note that cannot be read: plan from now, and replace the note (or remove it) as if none.
    unreadableNote = Instant.MAX.equals(since);
    return unreadableNote ? null : since;
  }

  /**
   * The load planned every job at {@code now}: defers the first states, notes them in the store
   * before any is written, writes those due soon and a first share, and the other planned states.
   */
  void loaded(Instant now) {
    deferFirstStates();
    if (!firstStates.isEmpty() && (!firstStatesNoted || unreadableNote)) {
      // Before any first state is written: a term that ends before writing them all must not
      // leave the next one to plan them from its own, later start.
      state.commitOrDrop(List.of(new StoreOp.MarkFirstStatesPending(now)));
      firstStatesNoted = true;
    }
    unreadableNote = false;
    loadedNanos = System.nanoTime();
    writeFirstStates();
    flush(); // what the load planned besides first states (a schedule edited meanwhile)
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
        replan.accept(entry, now);
      } else {
        plans.put(entry.job.id(), p);
      }
    }
    flush();
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

  /** Drops the job's planned state, first or not (an edit or a delete replaces it). */
  void forget(String jobId) {
    plans.remove(jobId);
    firstStates.remove(jobId);
  }

  /**
   * Writes every planned state, in multis of {@value #PLANS_PER_COMMIT}; queues each job written.
   */
  void flush() {
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
