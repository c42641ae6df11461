package dev.zkscheduler.cluster;

import java.time.Instant;

/**
 * What a worker reports of an attempt it ran: success, or the error (the handler's message, cut to
 * a run's budget), and whether the handler gave up because of its own time limit. Written by the
 * worker into its assignment; the leader folds it into the run.
 */
public record AttemptReport(boolean succeeded, String error, Instant finishedAt, boolean timedOut) {

  public static AttemptReport success(Instant finishedAt) {
    return new AttemptReport(true, null, finishedAt, false);
  }

  public static AttemptReport failure(String error, Instant finishedAt, boolean timedOut) {
    return new AttemptReport(false, error == null ? "failed" : error, finishedAt, timedOut);
  }
}
