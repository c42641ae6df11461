package dev.zkscheduler.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The misfire arithmetic: which due nominal instants fire now and which are skipped. Pure.
 *
 * <p>An instant is <em>due</em> when it lies in {@code (lastNominal, now]}. A due instant is <em>on
 * time</em> when it is at most {@code threshold} old; older ones are <em>missed</em> (nobody led,
 * the job was paused, the cluster was down). On-time instants always fire, under every policy, so a
 * short failover loses nothing. Missed ones follow the policy:
 *
 * <ul>
 *   <li>{@link MisfirePolicy#SKIP}: none fire.
 *   <li>{@link MisfirePolicy#FIRE_ONCE}: the latest missed instant fires, unless an on-time instant
 *       fires anyway.
 *   <li>{@link MisfirePolicy#CATCH_UP}: the latest {@code catchUpLimit} missed instants fire.
 * </ul>
 *
 * Every due instant that does not fire is counted as skipped (exactly, except for a cron schedule
 * with more than {@value #MAX_WALK} missed instants, where the count is a lower bound and {@link
 * MisfirePlan#skippedCountExact()} is false). On-time fires are capped at {@value #MAX_ON_TIME} per
 * plan (the rest count as skipped) so the output is always bounded.
 */
public final class Misfires {

  /** Default age below which a due fire is still on time. */
  public static final Duration DEFAULT_THRESHOLD = Duration.ofSeconds(60);

  /** Upper bound on on-time fires in one plan. */
  public static final int MAX_ON_TIME = 1000;

  /** Beyond this many due instants of a cron schedule the walk jumps ahead (see docs). */
  static final int MAX_WALK = 200_000;

  private Misfires() {}

  /**
   * Plans the due fires of {@code schedule} after {@code lastNominal} (exclusive) up to {@code now}
   * (inclusive).
   *
   * @param lastNominal the latest nominal instant already fired or skipped; for a job that never
   *     fired, the instant its schedule took effect (its creation), exclusive
   * @throws IllegalArgumentException if {@code catchUpLimit < 1} under CATCH_UP or threshold < 0
   */
  public static MisfirePlan plan(
      Schedule schedule,
      Instant lastNominal,
      Instant now,
      MisfirePolicy policy,
      int catchUpLimit,
      Duration threshold) {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(lastNominal, "lastNominal");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(policy, "policy");
    if (threshold.isNegative()) {
      throw new IllegalArgumentException("threshold must not be negative: " + threshold);
    }
    if (policy == MisfirePolicy.CATCH_UP && catchUpLimit < 1) {
      throw new IllegalArgumentException("catchUpLimit must be at least 1: " + catchUpLimit);
    }
    int keepMissed =
        switch (policy) {
          case SKIP -> 0;
          case FIRE_ONCE -> 1;
          case CATCH_UP -> catchUpLimit;
        };
    Instant onTimeFrom = now.minus(threshold);
    Walk walk = walk(schedule, lastNominal, now, onTimeFrom, keepMissed);

    List<Instant> toFire = new ArrayList<>();
    List<Instant> onTime = walk.onTime;
    boolean onTimeFires = !onTime.isEmpty();
    List<Instant> missedToFire =
        switch (policy) {
          case SKIP -> List.of();
          case FIRE_ONCE -> onTimeFires ? List.<Instant>of() : List.copyOf(walk.latestMissed);
          case CATCH_UP -> List.copyOf(walk.latestMissed);
        };
    toFire.addAll(missedToFire);
    toFire.addAll(onTime);

    long skipped = walk.missedCount - missedToFire.size() + walk.onTimeDropped;
    Instant firstSkipped = null;
    Instant lastSkipped = null;
    if (walk.missedCount > missedToFire.size()) {
      firstSkipped = walk.firstMissed;
      lastSkipped = missedToFire.isEmpty() ? walk.lastMissed : walk.beforeLatestMissed;
    }
    if (walk.onTimeDropped > 0) {
      if (firstSkipped == null) {
        firstSkipped = walk.firstOnTimeDropped;
      }
      lastSkipped = walk.lastOnTimeDropped;
    }
    Instant last = walk.lastDue == null ? lastNominal : walk.lastDue;
    return new MisfirePlan(
        toFire, skipped, !walk.jumped, firstSkipped, lastSkipped, walk.next, last);
  }

  /** {@link #plan} with {@link #DEFAULT_THRESHOLD}. */
  public static MisfirePlan plan(
      Schedule schedule, Instant lastNominal, Instant now, MisfirePolicy policy, int catchUpLimit) {
    return plan(schedule, lastNominal, now, policy, catchUpLimit, DEFAULT_THRESHOLD);
  }

  /** The due instants, summarized without materializing them all. */
  private static final class Walk {
    final List<Instant> onTime = new ArrayList<>();
    final Deque<Instant> latestMissed = new ArrayDeque<>();
    Instant beforeLatestMissed;
    long missedCount;
    long onTimeDropped;
    Instant firstMissed;
    Instant lastMissed;
    Instant firstOnTimeDropped;
    Instant lastOnTimeDropped;
    Instant lastDue;
    Instant next;
    boolean jumped;
  }

  private static Walk walk(
      Schedule schedule, Instant lastNominal, Instant now, Instant onTimeFrom, int keepMissed) {
    Walk walk = new Walk();
    if (schedule instanceof IntervalSchedule interval) {
      return walkInterval(interval, lastNominal, now, onTimeFrom, keepMissed, walk);
    }
    Instant cursor = lastNominal;
    int steps = 0;
    while (true) {
      Optional<Instant> next = schedule.nextFireAfter(cursor);
      if (next.isEmpty()) {
        walk.next = null;
        return walk;
      }
      Instant due = next.get();
      if (due.isAfter(now)) {
        walk.next = due;
        return walk;
      }
      if (++steps > MAX_WALK && due.isBefore(onTimeFrom) && !walk.jumped) {
        // A cron firing every second left alone for weeks: stop walking one by one. Resume at the
        // latest point from which at least `keepMissed + 1` missed instants remain before the
        // on-time window; the instants jumped over are missed too, but no longer counted one by
        // one, so the count becomes a lower bound.
        walk.jumped = true;
        Instant resume = resumePoint(schedule, due, onTimeFrom, keepMissed + 1);
        if (resume.isAfter(due)) {
          cursor = resume;
          continue;
        }
      }
      walk.lastDue = due;
      if (due.isBefore(onTimeFrom)) {
        addMissed(walk, due, keepMissed);
      } else if (walk.onTime.size() < MAX_ON_TIME) {
        walk.onTime.add(due);
      } else {
        addOnTimeDropped(walk, due);
      }
      cursor = due;
    }
  }

  private static Walk walkInterval(
      IntervalSchedule schedule,
      Instant lastNominal,
      Instant now,
      Instant onTimeFrom,
      int keepMissed,
      Walk walk) {
    Instant firstDue = schedule.nextFireAfter(lastNominal).orElse(null);
    walk.next = schedule.nextFireAfter(now).orElse(null);
    if (firstDue == null || firstDue.isAfter(now)) {
      return walk;
    }
    // Missed instants: due ones strictly before onTimeFrom.
    Instant missedEnd = onTimeFrom.minusNanos(1);
    long missed = missedEnd.isBefore(firstDue) ? 0 : schedule.countIn(lastNominal, missedEnd);
    if (missed > 0) {
      walk.firstMissed = firstDue;
      Instant lastMissed = schedule.lastAtOrBefore(missedEnd);
      walk.lastMissed = lastMissed;
      walk.missedCount = missed;
      // The latest `keepMissed` missed instants, and the one before them.
      Instant cursor = lastMissed;
      List<Instant> kept = new ArrayList<>();
      for (long i = 0; i < Math.min(keepMissed, missed); i++) {
        kept.add(0, cursor);
        cursor = cursor.minus(schedule.interval());
      }
      walk.latestMissed.addAll(kept);
      walk.beforeLatestMissed = missed > kept.size() ? cursor : null;
      walk.lastDue = lastMissed;
    }
    Instant cursor = missed > 0 ? walk.lastMissed : lastNominal;
    while (true) {
      Optional<Instant> next = schedule.nextFireAfter(cursor);
      if (next.isEmpty() || next.get().isAfter(now)) {
        return walk;
      }
      Instant due = next.get();
      walk.lastDue = due;
      if (walk.onTime.size() < MAX_ON_TIME) {
        walk.onTime.add(due);
      } else {
        addOnTimeDropped(walk, due);
      }
      cursor = due;
    }
  }

  /**
   * The latest instant in [from, onTimeFrom) from which at least {@code wanted} fires remain before
   * {@code onTimeFrom}, found by doubling a look-back window; {@code from} if none is smaller.
   */
  private static Instant resumePoint(
      Schedule schedule, Instant from, Instant onTimeFrom, int wanted) {
    Duration lookBack = Duration.ofMinutes(1);
    while (true) {
      Instant start = onTimeFrom.minus(lookBack);
      if (!start.isAfter(from)) {
        return from;
      }
      int found = 0;
      Instant cursor = start;
      while (found < wanted) {
        Optional<Instant> next = schedule.nextFireAfter(cursor);
        if (next.isEmpty() || !next.get().isBefore(onTimeFrom)) {
          break;
        }
        found++;
        cursor = next.get();
      }
      if (found >= wanted) {
        return start;
      }
      lookBack = lookBack.multipliedBy(2);
    }
  }

  private static void addMissed(Walk walk, Instant due, int keepMissed) {
    walk.missedCount++;
    if (walk.firstMissed == null) {
      walk.firstMissed = due;
    }
    walk.lastMissed = due;
    if (keepMissed > 0) {
      walk.latestMissed.addLast(due);
      if (walk.latestMissed.size() > keepMissed) {
        walk.beforeLatestMissed = walk.latestMissed.removeFirst();
      }
    } else {
      walk.beforeLatestMissed = due;
    }
  }

  private static void addOnTimeDropped(Walk walk, Instant due) {
    walk.onTimeDropped++;
    if (walk.firstOnTimeDropped == null) {
      walk.firstOnTimeDropped = due;
    }
    walk.lastOnTimeDropped = due;
  }
}
