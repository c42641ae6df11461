package dev.zkscheduler.engine;

import java.time.Duration;

/**
 * The leader's local evidence that its ZooKeeper session is alive: the monotonic instant at which
 * the last successful tick began (each leader tick makes at least one ZooKeeper round trip). A
 * session cannot expire sooner than the session timeout after the server last heard from it, and a
 * new leader cannot start before the old session expired; so an attempt that starts while the lease
 * is younger than half the session timeout starts before any newer leader exists.
 *
 * <p>Without it a leader frozen (SIGSTOP, a long GC pause) between recording an attempt's start and
 * calling its handler called the handler on waking, after the next leader had already re-offered
 * the attempt: the receiver saw a lower fencing token after a higher one (found by the fault suite,
 * {@code ChaosIT}, PAUSE_LEADER). Time is {@link System#nanoTime()}, which a frozen process does
 * not stop. Thread-safe.
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
  void renew(long nanos) {
    if (nanos - lastContactNanos > 0) {
      lastContactNanos = nanos;
    }
  }

  boolean valid() {
    long timeout = timeoutNanos.getAsLong();
    return timeout <= 0 || System.nanoTime() - lastContactNanos < timeout;
  }
}
