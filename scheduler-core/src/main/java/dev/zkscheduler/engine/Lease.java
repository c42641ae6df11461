package dev.zkscheduler.engine;

import java.time.Duration;

/**
 * A worker's local evidence that its ZooKeeper session is alive: the monotonic instant at which its
 * last successful ZooKeeper round trip began (the worker's heartbeat reads its own worker node). A
 * session cannot expire sooner than the session timeout after the server last heard from it, and
 * the leader offers a worker's attempts again only once that session has expired; so a handler that
 * starts while the lease is younger than half the session timeout starts before anyone else can run
 * the attempt, and a running handler sees {@code isCancelled()} once the lease lapses.
 *
 * <p>Without it a node frozen (SIGSTOP, a long GC pause) between being given an attempt and calling
 * its handler called the handler on waking, after the attempt had already been offered again: the
 * receiver saw a lower fencing token after a higher one (found by the fault suite, {@code ChaosIT},
 * when the leader itself ran attempts). Time is {@link System#nanoTime()}, which a frozen process
 * does not stop. Thread-safe.
 */
public final class Lease {

  private final java.util.function.LongSupplier timeoutNanos;
  private volatile long lastContactNanos = System.nanoTime();

  /** A lease that lapses {@code timeout} after the last contact; null: it never lapses. */
  Lease(Duration timeout) {
    long nanos = timeout == null ? 0 : timeout.toNanos();
    this.timeoutNanos = () -> nanos;
  }

  private Lease(java.util.function.LongSupplier timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  /** For a backend whose leader has a session: lapses {@code timeout} after the last contact. */
  public static Lease lapsingAfter(Duration timeout) {
    return new Lease(java.util.Objects.requireNonNull(timeout, "timeout"));
  }

  /**
   * As {@link #lapsingAfter(Duration)}, with a timeout read at each check: the session timeout the
   * server granted can be shorter than the one asked for, and it is known only once connected.
   */
  public static Lease lapsingAfter(java.util.function.Supplier<Duration> timeout) {
    return new Lease(() -> timeout.get().toNanos());
  }

  /** For a single process with no session to lose. */
  public static Lease unlimited() {
    return new Lease((Duration) null);
  }

  /** Records contact that began at {@code nanos} (a {@link System#nanoTime()} reading). */
  public void renew(long nanos) {
    if (nanos - lastContactNanos > 0) {
      lastContactNanos = nanos;
    }
  }

  public boolean valid() {
    long timeout = timeoutNanos.getAsLong();
    return timeout <= 0 || System.nanoTime() - lastContactNanos < timeout;
  }
}
