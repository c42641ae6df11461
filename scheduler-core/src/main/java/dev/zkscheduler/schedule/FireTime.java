package dev.zkscheduler.schedule;

import java.time.Instant;
import java.time.ZonedDateTime;

/** One fire instant, in UTC and on the schedule's local clock (with the offset in force). */
public record FireTime(Instant utc, ZonedDateTime local) {}
