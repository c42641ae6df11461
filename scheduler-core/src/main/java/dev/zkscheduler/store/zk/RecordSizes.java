package dev.zkscheduler.store.zk;

import com.codahale.metrics.Counter;
import dev.zkscheduler.error.RecordTooLargeException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.codec.JobCodec;

/**
 * Refuses records and commits over the store's limits before anything is written, and counts every
 * refusal. Thread-safe.
 */
final class RecordSizes {

  private final StoreLimits limits;
  private final Counter oversized;

  RecordSizes(StoreLimits limits, Counter oversized) {
    this.limits = limits;
    this.oversized = oversized;
  }

  /** Encodes a job: its limit is the codec's, so that every store refuses the same jobs. */
  byte[] encodeJob(JobDefinition job) {
    try {
      return JobCodec.encode(job);
    } catch (RecordTooLargeException e) {
      oversized.inc();
      throw e;
    }
  }

  /** {@code data}, unless it is over {@link StoreLimits#maxRecordBytes()}. */
  byte[] checked(String what, byte[] data) {
    if (data.length > limits.maxRecordBytes()) {
      oversized.inc();
      throw new RecordTooLargeException(what, data.length, limits.maxRecordBytes());
    }
    return data;
  }

  /** Refuses a commit of {@code ops} ops writing {@code bytes} over the commit limit. */
  void checkCommit(int ops, int bytes) {
    if (bytes > limits.maxCommitBytes()) {
      oversized.inc();
      throw new RecordTooLargeException(
          "a commit of " + ops + " ops", bytes, limits.maxCommitBytes());
    }
  }
}
