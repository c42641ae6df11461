package dev.zkscheduler.cluster;

import java.time.Instant;

/**
 * An assignment as the store holds it: when it was written (null on a worker, which learns of it
 * from a watch event that carries no time, and does not need it), the fencing token its attempt
 * carries (larger than the token of every assignment written before it), and the worker's report,
 * null while the attempt has not ended.
 */
public record AssignedAttempt(
    Assignment assignment, long fencingToken, Instant assignedAt, AttemptReport report) {

  public boolean reported() {
    return report != null;
  }
}
