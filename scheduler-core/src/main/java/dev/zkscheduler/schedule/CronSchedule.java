package dev.zkscheduler.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A cron expression evaluated on the wall clock of {@link #zone()}, under a {@link DstPolicy}.
 *
 * <p>How local times map to instants (see docs/scheduling.md for worked examples):
 *
 * <ul>
 *   <li>A local time that exists once fires at that instant.
 *   <li>A local time inside a spring-forward gap fires at the end of the gap (the transition
 *       instant) under {@link DstPolicy#SHIFT_FORWARD}; several such times collapse into that one
 *       fire. Under {@link DstPolicy#SKIP_GAP} it does not fire.
 *   <li>A local time inside a fall-back overlap fires at its first occurrence. If the expression
 *       fires every hour (hour field {@code *}), it also fires at the second occurrence, so a
 *       "every 15 minutes" job keeps its rhythm through the repeated hour; a job at a fixed hour
 *       fires once per local day.
 * </ul>
 *
 * <p>Immutable and thread-safe; value equality on expression text, zone and policy.
 */
public final class CronSchedule implements Schedule {

  private final CronExpression cron;
  private final ZoneId zone;
  private final DstPolicy dstPolicy;

  /**
   * @throws InvalidScheduleException naming {@code cron} or {@code timeZone}
   */
  public CronSchedule(String expression, ZoneId zone, DstPolicy dstPolicy) {
    if (zone == null) {
      throw new InvalidScheduleException("timeZone", "must be set (use UTC explicitly)");
    }
    this.cron = CronExpression.parse(expression);
    this.zone = zone;
    this.dstPolicy = dstPolicy == null ? DstPolicy.DEFAULT : dstPolicy;
  }

  public String expression() {
    return cron.text();
  }

  @Override
  public ZoneId zone() {
    return zone;
  }

  public DstPolicy dstPolicy() {
    return dstPolicy;
  }

  /** True for 6–7 field Quartz expressions (seconds first), false for 5-field Unix ones. */
  public boolean isQuartz() {
    return cron.dialect() == CronExpression.Dialect.QUARTZ;
  }

  @Override
  public Optional<Instant> nextFireAfter(Instant after) {
    Objects.requireNonNull(after, "after");
    ZoneRules rules = zone.getRules();
    Instant best = firstOccurrenceAfter(after, rules);
    if (cron.everyHour()) {
      best =
          min(
              best,
              secondOccurrenceAfter(after, rules, rules.previousTransition(after.plusNanos(1))));
      best = min(best, secondOccurrenceAfter(after, rules, rules.nextTransition(after)));
    }
    return Optional.ofNullable(best);
  }

  /**
   * Walks matching local times from the wall-clock time at {@code after}, mapping each to its first
   * (or only) instant, until one lies strictly after {@code after}. The mapping is monotonic in
   * local time, so the first hit is the earliest.
   */
  private Instant firstOccurrenceAfter(Instant after, ZoneRules rules) {
    LocalDateTime cursor = LocalDateTime.ofInstant(after, zone);
    ZoneOffsetTransition current = rules.previousTransition(after.plusNanos(1));
    if (current != null
        && current.isOverlap()
        && !after.isBefore(current.getInstant())
        && after.isBefore(current.getInstant().plus(current.getDuration().abs()))) {
      // `after` lies in the second occurrence of a repeated hour: every first occurrence there is
      // already in the past, so resume the walk at the end of the overlap.
      cursor = current.getDateTimeBefore().minusNanos(1);
    }
    while (true) {
      Optional<LocalDateTime> next = cron.nextAfter(cursor);
      if (next.isEmpty()) {
        return null;
      }
      LocalDateTime local = next.get();
      Instant instant = firstInstant(local, rules);
      if (instant != null && instant.isAfter(after)) {
        return instant;
      }
      cursor = local;
    }
  }

  /** The first instant at which {@code local} happens, per the DST policy; null if skipped. */
  private Instant firstInstant(LocalDateTime local, ZoneRules rules) {
    List<ZoneOffset> offsets = rules.getValidOffsets(local);
    if (offsets.size() == 1) {
      return local.toInstant(offsets.get(0));
    }
    if (offsets.isEmpty()) {
      if (dstPolicy == DstPolicy.SKIP_GAP) {
        return null;
      }
      return rules.getTransition(local).getInstant();
    }
    // Overlap: the larger offset is the earlier instant (the clock has not yet been set back).
    return local.toInstant(
        offsets.get(0).compareTo(offsets.get(1)) < 0 ? offsets.get(0) : offsets.get(1));
  }

  /**
   * For every-hour expressions: the earliest second occurrence, within the overlap of {@code
   * transition}, that lies strictly after {@code after}; null if none.
   */
  private Instant secondOccurrenceAfter(
      Instant after, ZoneRules rules, ZoneOffsetTransition transition) {
    if (transition == null || !transition.isOverlap()) {
      return null;
    }
    Instant windowEnd = transition.getInstant().plus(transition.getDuration().abs());
    if (!windowEnd.isAfter(after)) {
      return null;
    }
    ZoneOffset laterOffset = transition.getOffsetAfter();
    LocalDateTime cursor = transition.getDateTimeAfter().minusNanos(1);
    LocalDateTime afterLocal = LocalDateTime.ofInstant(after, laterOffset);
    if (afterLocal.isAfter(cursor)) {
      cursor = afterLocal;
    }
    Optional<LocalDateTime> next = cron.nextAfter(cursor);
    if (next.isEmpty() || !next.get().isBefore(transition.getDateTimeBefore())) {
      return null;
    }
    Instant instant = next.get().toInstant(laterOffset);
    return instant.isAfter(after) ? instant : null;
  }

  private static Instant min(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isBefore(b) ? a : b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronSchedule other
        && other.cron.text().equals(cron.text())
        && other.zone.equals(zone)
        && other.dstPolicy == dstPolicy;
  }

  @Override
  public int hashCode() {
    return Objects.hash(cron.text(), zone, dstPolicy);
  }

  @Override
  public String toString() {
    return "cron '" + cron.text() + "' in " + zone.getId() + " (" + dstPolicy + ")";
  }
}
