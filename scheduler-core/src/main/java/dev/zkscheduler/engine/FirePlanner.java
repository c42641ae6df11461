package dev.zkscheduler.engine;

import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.schedule.MisfirePlan;
import dev.zkscheduler.schedule.Misfires;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.ScheduleState;
import dev.zkscheduler.store.StoreOp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's plan: the next nominal fire of every job in a priority queue, and what to fire when
 * one falls due. What is due is decided by {@link Misfires#plan} from the persisted progress (the
 * last nominal fire, or just before the persisted next fire of a job that never fired), so the
 * first tick of a new term, a tick after a long pause and a resumed job all follow the job's
 * misfire policy, and every skipped fire is counted. A fire is missed when it is older than the
 * job's own misfire threshold, or the node's ({@link EngineSettings#misfireThreshold}) when the job
 * has none. Tick thread only.
 */
final class FirePlanner {

  private static final Logger log = LoggerFactory.getLogger(FirePlanner.class);

  /** One run to create. */
  record Fire(String runId, Instant nominal, RunTrigger trigger) {}

  /** A job with fires due now, and its new progress. */
  record DueJob(JobEntry entry, List<Fire> plan, ScheduleState newState) {}

  private record Slot(Instant at, String jobId) {}

  private final EngineSettings settings;
  private final EngineMetrics metrics;
  private final PriorityQueue<Slot> queue = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
  private final Map<String, Instant> slotOf = new HashMap<>();

  FirePlanner(EngineSettings settings, EngineMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  /**
   * The progress a job should have persisted, given its stored progress and (when known) the
   * definition it replaced. A new job, or a job whose schedule changed, starts from {@code now}: a
   * new schedule never fires retroactively. So does a job deleted and created again under the same
   * id: the stored progress was the deleted job's. An edit that kept the schedule (including pause
   * and resume) keeps the progress, so missed fires go through the misfire policy. Progress
   * computed from a newer version of the same definition than {@code entry}'s (a lagging watch) is
   * kept as it is: the newer definition is on its way.
   */
  static ScheduleState progressFor(JobEntry entry, JobDefinition previous, Instant now) {
    Schedule schedule = entry.job.schedule();
    ScheduleState stored = entry.state == null ? null : entry.state.value();
    if (stored == null
        || Versioned.earlierCreation(stored.jobCreated(), entry.created)
        || (stored.lastNominalFire() == null && stored.nextFire() == null)) {
      // No progress, or another job's; a record that holds none (created only to list a run of a
      // job without a schedule then) is no progress either.
      return fresh(entry, now);
    }
    boolean sameCreation = stored.jobCreated() != 0 && stored.jobCreated() == entry.created;
    if (stored.definitionVersion() == entry.definitionVersion
        || (sameCreation && stored.definitionVersion() > entry.definitionVersion)) {
      return stored;
    }
    boolean scheduleChanged =
        previous != null
            ? !Objects.equals(previous.schedule(), schedule)
            : !onGrid(schedule, stored.lastNominalFire());
    if (scheduleChanged) {
      return fresh(entry, now);
    }
    Instant next =
        stored.lastNominalFire() != null
            ? schedule.nextFireAfter(stored.lastNominalFire()).orElse(null)
            : stored.nextFire();
    return new ScheduleState(
        entry.job.id(), stored.lastNominalFire(), next, entry.definitionVersion, entry.created);
  }

  /** Progress from {@code now}: nothing fired yet, the first fire after now next. */
  static ScheduleState fresh(JobEntry entry, Instant now) {
    return new ScheduleState(
        entry.job.id(),
        null,
        entry.job.schedule().nextFireAfter(now).orElse(null),
        entry.definitionVersion,
        entry.created);
  }

  /** Whether {@code instant} is one of the schedule's fire instants (null counts as yes). */
  private static boolean onGrid(Schedule schedule, Instant instant) {
    return instant == null
        || schedule.nextFireAfter(instant.minusNanos(1)).map(instant::equals).orElse(false);
  }

  /** Queues the job's persisted next fire; a paused job or an ended schedule queues nothing. */
  void schedule(JobEntry entry) {
    untrack(entry.job.id());
    if (entry.job.schedule() == null || entry.job.paused() || entry.state == null) {
      return;
    }
    Instant next = entry.state.value().nextFire();
    if (next != null) {
      slotOf.put(entry.job.id(), next);
      queue.add(new Slot(next, entry.job.id()));
    }
  }

  void untrack(String jobId) {
    slotOf.remove(jobId);
  }

  /** Runs one job's share of a phase, alone: false if it failed (see {@link TermState#forJob}). */
  interface PerJob {
    boolean run(String jobId, String doing, Runnable work);
  }

  /** Jobs whose next fire is at or before {@code now}, with what to fire for each. */
  List<DueJob> due(Instant now, Map<String, JobEntry> jobs) {
    return due(
        now,
        jobs,
        (jobId, doing, work) -> {
          work.run();
          return true;
        },
        Integer.MAX_VALUE);
  }

  /**
   * As {@link #due(Instant, Map)}, oldest first, until the jobs taken have {@code maxFires} fires
   * or more (the rest stay queued: {@link #oldestDue}), planning each job through {@code perJob}: a
   * job whose plan throws is left out, and the others are planned.
   */
  List<DueJob> due(Instant now, Map<String, JobEntry> jobs, PerJob perJob, int maxFires) {
    List<DueJob> due = new ArrayList<>();
    int fires = 0;
    while (fires < maxFires && dropSuperseded() && !queue.peek().at().isAfter(now)) {
      Slot slot = queue.poll();
      slotOf.remove(slot.jobId());
      JobEntry entry = jobs.get(slot.jobId());
      if (entry == null
          || entry.job.schedule() == null
          || entry.job.paused()
          || entry.state == null) {
        continue;
      }
      int before = due.size();
      perJob.run(
          entry.job.id(), "planning its due fires", () -> due.add(plan(entry, slot.at(), now)));
      if (due.size() > before) {
        fires += Math.max(1, due.get(before).plan().size());
      }
    }
    return due;
  }

  /**
   * The earliest queued fire at or before {@code now} (one a capped {@link #due} left), or null.
   */
  Instant oldestDue(Instant now) {
    return dropSuperseded() && !queue.peek().at().isAfter(now) ? queue.peek().at() : null;
  }

  /** Removes superseded slots from the head of the queue; whether a slot is left. */
  private boolean dropSuperseded() {
    while (!queue.isEmpty()) {
      Slot head = queue.peek();
      if (head.at().equals(slotOf.get(head.jobId()))) {
        return true;
      }
      queue.poll(); // Superseded by a later schedule().
    }
    return false;
  }

  private DueJob plan(JobEntry entry, Instant slot, Instant now) {
    ScheduleState current = entry.state.value();
    Instant reference =
        current.lastNominalFire() != null ? current.lastNominalFire() : slot.minusNanos(1);
    // The job's own threshold when it has one, else the node's: one value for what is missed and
    // for which fires are labelled on time, so the two never disagree.
    Duration threshold = entry.job.misfireThresholdOr(settings.misfireThreshold());
    MisfirePlan plan =
        Misfires.plan(
            entry.job.schedule(),
            reference,
            now,
            entry.job.misfirePolicy(),
            entry.job.catchUpLimit(),
            threshold);
    Instant onTimeFrom = now.minus(threshold);
    List<Fire> fires = new ArrayList<>();
    long caughtUp = 0;
    for (Instant nominal : plan.toFire()) {
      boolean late = nominal.isBefore(onTimeFrom);
      caughtUp += late ? 1 : 0;
      fires.add(
          new Fire(
              RunIds.scheduled(nominal),
              nominal,
              late ? RunTrigger.CATCH_UP : RunTrigger.SCHEDULE));
    }
    if (plan.skippedCount() > 0) {
      log.info(
          "job {}: {}{} fire(s) skipped under its {} misfire policy, from {} to {}",
          entry.job.id(),
          plan.skippedCountExact() ? "" : "at least ",
          plan.skippedCount(),
          entry.job.misfirePolicy(),
          plan.firstSkipped(),
          plan.lastSkipped());
    }
    metrics.misfires(plan.skippedCount(), caughtUp);
    return new DueJob(
        entry,
        fires,
        new ScheduleState(
            entry.job.id(),
            plan.lastNominal(),
            plan.nextFire(),
            entry.definitionVersion,
            entry.created));
  }

  /** The op that persists {@code due}'s new progress (a versioned update). */
  static StoreOp stateOp(JobEntry entry, ScheduleState state) {
    return new StoreOp.PutScheduleState(
        state, entry.state == null ? StoreOp.CREATE : entry.state.version());
  }
}
