package dev.zkscheduler.job;

import dev.zkscheduler.schedule.MisfirePolicy;
import java.time.Duration;

/** Every default and limit of a job definition, in one place (docs/jobs-and-dags.md lists them). */
public final class JobDefaults {

  private JobDefaults() {}

  /** Retry when a job says nothing: one attempt, no retry. */
  public static final RetryPolicy RETRY = RetryPolicy.NONE;

  /**
   * Run timeout when a job says nothing. Every run has a finite timeout so that no run stays
   * RUNNING forever (G6); a task without its own timeout gets the run's.
   */
  public static final Duration TIMEOUT = Duration.ofHours(1);

  public static final MisfirePolicy MISFIRE_POLICY = MisfirePolicy.FIRE_ONCE;
  public static final int CATCH_UP_LIMIT = 10;
  public static final ConcurrencyPolicy CONCURRENCY_POLICY = ConcurrencyPolicy.FORBID;

  /** Job and task ids: safe znode names, lowercase, 1–128 characters. */
  public static final String ID_PATTERN = "^[a-z0-9][a-z0-9._-]{0,127}$";

  public static final int MAX_TASKS = 100;
  public static final int MAX_DESCRIPTION_LENGTH = 1024;
  public static final int MAX_CATCH_UP_LIMIT = 1000;
  public static final Duration MAX_TIMEOUT = Duration.ofDays(7);
  public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);

  /**
   * A job's own misfire threshold (null: the node's {@code scheduler.misfireThreshold}). At least a
   * second: a fire is routinely a tick or a GC pause late, and a shorter window would send on-time
   * fires through the misfire policy ({@code SKIP} would drop them). At most a day, the cap of the
   * node setting: every fire inside the window fires whatever the policy (up to 1000 per plan), so
   * a longer one would let a frequent job replay days of fires after an outage, past its {@code
   * catchUpLimit}.
   */
  public static final Duration MIN_MISFIRE_THRESHOLD = Duration.ofSeconds(1);

  public static final Duration MAX_MISFIRE_THRESHOLD = Duration.ofDays(1);

  /**
   * The most a job definition may take encoded (JSON, UTF-8): 64 KiB, far below ZooKeeper's default
   * 1 MiB {@code jute.maxbuffer}, so a job, its znode metadata and the fencing checks of a multi
   * always fit with room to spare.
   */
  public static final int MAX_ENCODED_BYTES = 64 * 1024;
}
