package dev.zkscheduler.store;

/**
 * Size budgets that keep every ZooKeeper request under {@code jute.maxbuffer} (1 MiB by default,
 * and the same limit applies to responses: a multi, a znode, a getChildren listing).
 *
 * @param maxRecordBytes the most one stored run, schedule state or request may take encoded
 * @param maxCommitBytes the most all records of one fenced commit may take together
 * @param maxPendingRequests the most control requests waiting for the leader
 */
public record StoreLimits(int maxRecordBytes, int maxCommitBytes, int maxPendingRequests) {

  /** 256 KiB per record, 900 KiB per commit, 10,000 pending requests. */
  public static final StoreLimits DEFAULT = new StoreLimits(256 * 1024, 900 * 1024, 10_000);

  public StoreLimits {
    if (maxRecordBytes < 1024 || maxCommitBytes < maxRecordBytes || maxCommitBytes > 1_000_000) {
      throw new IllegalArgumentException(
          "need 1 KiB <= maxRecordBytes <= maxCommitBytes <= 1,000,000 (under jute.maxbuffer)");
    }
    if (maxPendingRequests < 1) {
      throw new IllegalArgumentException("maxPendingRequests must be positive");
    }
  }
}
