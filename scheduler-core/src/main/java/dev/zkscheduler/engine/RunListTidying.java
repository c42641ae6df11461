package dev.zkscheduler.engine;

import dev.zkscheduler.store.CommitResult;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drops ended runs from the schedule states' lists of runs in flight when no fire will do it soon.
 * Ending a run does not write its job's schedule state (a write per run saved); the next write of
 * the record drops the ids the leader knows ended. A job that fires rarely, or not at all, would
 * keep its ended runs listed, and every new leader would read them: this pass rewrites the records
 * whose listed runs have all been known ended for {@link #SETTLED} and whose job does not fire
 * within {@link #FIRE_HORIZON} (that fire drops them at no extra write), at most {@value
 * #PER_COMMIT} records a multi and {@value #COMMITS_PER_TICK} multis a tick, sent together. So a
 * new leader reads at most one ended run per job that fires at least every minute, besides the runs
 * of the last seconds. Tick thread only.
 */
final class RunListTidying {

  /**
   * How long every run a record lists must have been ended: a job firing more often than this drops
   * them with its fires, at no extra write.
   */
  static final Duration SETTLED = Duration.ofSeconds(5);

  /** A job firing within this long drops its ended runs with that fire: no tidy write. */
  static final Duration FIRE_HORIZON = Duration.ofMinutes(1);

  /** Schedule states rewritten per multi: small records, well within a multi's budget. */
  static final int PER_COMMIT = 500;

  /** Multis per tick, so a tidy pass after a burst never stalls a tick. */
  static final int COMMITS_PER_TICK = 2;

  private final TermState state;

  RunListTidying(TermState state) {
    this.state = state;
  }

  /** Rewrites up to {@value #PER_COMMIT} x {@value #COMMITS_PER_TICK} settled records. */
  void tidy() {
    if (state.lists().endedListed().isEmpty()) {
      return;
    }
    Instant now = state.clock().instant();
    Instant settledBefore = now.minus(SETTLED);
    Instant horizon = now.plus(FIRE_HORIZON);
    List<List<StoreOp>> multis = new ArrayList<>();
    List<StoreOp> ops = new ArrayList<>();
    for (Map.Entry<String, Map<String, Instant>> job : state.lists().endedListed().entrySet()) {
      JobEntry entry = state.jobs().get(job.getKey());
      if (entry == null
          || entry.state == null
          || firesBefore(entry, horizon)
          || !settled(entry, job.getValue(), settledBefore)) {
        continue;
      }
      // The write path drops every id known ended from what the record lists.
      ops.add(new StoreOp.PutScheduleState(entry.state.value(), entry.state.version()));
      if (ops.size() == PER_COMMIT) {
        multis.add(ops);
        ops = new ArrayList<>();
        if (multis.size() == COMMITS_PER_TICK) {
          break;
        }
      }
    }
    if (!ops.isEmpty()) {
      multis.add(ops);
    }
    if (multis.isEmpty()) {
      return;
    }
    for (CommitResult result : state.commitEach(multis)) {
      if (!result.committed()) {
        throw new TermWork.StaleViewException(
            "dropping ended runs from schedule states: " + result);
      }
    }
  }

  /** Whether the job's next fire, which will write its record anyway, comes before {@code at}. */
  private static boolean firesBefore(JobEntry entry, Instant at) {
    Instant next = entry.state.value().nextFire();
    return entry.job.schedule() != null && !entry.job.paused() && next != null && next.isBefore(at);
  }

  /** Whether every run the record lists has been known ended since before {@code before}. */
  private static boolean settled(JobEntry entry, Map<String, Instant> ended, Instant before) {
    for (String id : entry.state.value().activeRunIds()) {
      Instant since = ended.get(id);
      if (since == null || since.isAfter(before)) {
        return false;
      }
    }
    return true;
  }
}
