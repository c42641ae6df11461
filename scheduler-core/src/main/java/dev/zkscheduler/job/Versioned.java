package dev.zkscheduler.job;

/**
 * A stored value with the version of the record holding it (the znode's data version) and the
 * record's creation identity. Versions are what optimistic updates compare against and what the
 * REST API shows as ETag. A version restarts at 0 when a record is deleted and created again under
 * the same name; {@code created} does not repeat: it is ZooKeeper's {@code czxid} (the transaction
 * that created the znode), and in the in-memory store a counter. It tells a job deleted and created
 * again from the job that was there before. 0 means not known (a value that did not come from a
 * store).
 */
public record Versioned<T>(T value, int version, long created) {

  /** A value whose record's creation identity is not known. */
  public Versioned(T value, int version) {
    this(value, version, 0L);
  }

  /**
   * Whether {@code a} and {@code b} are known to come from different creations of their record: a
   * record deleted and created again in between.
   */
  public static boolean differentCreations(long a, long b) {
    return a != 0 && b != 0 && a != b;
  }

  /**
   * Whether creation {@code a} is known to be an earlier one than {@code b}: the record was deleted
   * and created again after {@code a}. ZooKeeper's zxids only grow, so a later creation is a
   * greater one; a record that names a creation later than the one it is compared with was read
   * from a lagging view, or the data was copied by a tool that created the znodes again (new
   * czxids): neither makes it another job's.
   */
  public static boolean earlierCreation(long a, long b) {
    return a != 0 && b != 0 && a < b;
  }
}
