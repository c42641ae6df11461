package dev.zkscheduler.engine;

import dev.zkscheduler.dag.Run;
import java.time.Instant;

/**
 * A job's live status: paused, its next nominal fire (null if none) and its latest run (or null).
 */
public record JobStatus(boolean paused, Instant nextFireTime, Run lastRun) {}
