package dev.zkscheduler.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

/** Fires at {@code startAt + k·interval}, k ≥ 0: the anchor is data, never process start. */
public record IntervalSchedule(Duration interval, Instant startAt) implements Schedule {

  @Override
  public ZoneId zone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Optional<Instant> nextFireAfter(Instant after) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
