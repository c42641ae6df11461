package dev.zkscheduler.store;

/**
 * The expected outcomes of a fenced commit. Losing the term is not among them: that is a {@link
 * FencingException}. On anything but {@link Outcome#COMMITTED} nothing was written; {@code
 * failedOp} is the index of the op that did not hold.
 */
public record CommitResult(Outcome outcome, int failedOp) {

  public enum Outcome {
    COMMITTED,
    /** A create found its record already there (for a run: a duplicate fire, prevented). */
    EXISTED,
    /** An update or delete found another version, or no record. */
    CONFLICT
  }

  public static final CommitResult COMMITTED = new CommitResult(Outcome.COMMITTED, -1);

  public boolean committed() {
    return outcome == Outcome.COMMITTED;
  }
}
