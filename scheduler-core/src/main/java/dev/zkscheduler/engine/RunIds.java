package dev.zkscheduler.engine;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Run ids: safe znode names that sort by time. A scheduled (or backfilled, or caught-up) run's id
 * is a function of its nominal instant alone, so the same (job, nominal instant) always names the
 * same run and a second create of it fails in ZooKeeper (G2). Manual runs add a random suffix.
 */
public final class RunIds {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private RunIds() {}

  /** {@code 20261201T140000.000Z} for a nominal fire at 2026-12-01T14:00:00Z. */
  public static String scheduled(Instant nominal) {
    return FORMAT.format(nominal.truncatedTo(ChronoUnit.MILLIS));
  }

  /** {@code 20261201T140000.123Z-m-3f9a1c} for a manual run requested then. */
  public static String manual(Instant requestedAt) {
    return scheduled(requestedAt)
        + "-m-"
        + String.format(Locale.ROOT, "%06x", ThreadLocalRandom.current().nextInt(1 << 24));
  }
}
