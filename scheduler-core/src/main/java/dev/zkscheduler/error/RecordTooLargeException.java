package dev.zkscheduler.error;

/** A record's encoded size exceeds the store's per-record budget; nothing was written. */
public class RecordTooLargeException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  private final int size;
  private final int limit;

  public RecordTooLargeException(String what, int size, int limit) {
    super(what + " is " + size + " bytes encoded, over the limit of " + limit + " bytes");
    this.size = size;
    this.limit = limit;
  }

  public int size() {
    return size;
  }

  public int limit() {
    return limit;
  }
}
