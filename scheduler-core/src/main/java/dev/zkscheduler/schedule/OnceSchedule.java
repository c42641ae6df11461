package dev.zkscheduler.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/** Fires exactly once, at {@link #at()}. */
public record OnceSchedule(Instant at) implements Schedule {

  public OnceSchedule {
    if (at == null) {
      throw new InvalidScheduleException(
          "at", "must be set to an instant, e.g. 2026-12-01T14:00:00Z");
    }
  }

  @Override
  public ZoneId zone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Optional<Instant> nextFireAfter(Instant after) {
    Objects.requireNonNull(after, "after");
    return at.isAfter(after) ? Optional.of(at) : Optional.empty();
  }
}
