package dev.zkscheduler.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

/** Fires exactly once, at {@link #at()}. */
public record OnceSchedule(Instant at) implements Schedule {

  @Override
  public ZoneId zone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Optional<Instant> nextFireAfter(Instant after) {
    return at.isAfter(after) ? Optional.of(at) : Optional.empty();
  }
}
