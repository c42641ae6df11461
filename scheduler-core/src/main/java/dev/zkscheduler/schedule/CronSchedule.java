package dev.zkscheduler.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/** A cron expression evaluated in {@link #zone()} under a {@link DstPolicy}. */
public record CronSchedule(String expression, ZoneId zone, DstPolicy dstPolicy)
    implements Schedule {

  @Override
  public Optional<Instant> nextFireAfter(Instant after) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
