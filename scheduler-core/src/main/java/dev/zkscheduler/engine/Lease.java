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

  private final long timeoutNanos;
  private volatile long lastContactNanos = System.nanoTime();

  /** A lease that lapses {@code timeout} after the last contact; null: it never lapses. */
  Lease(Duration timeout) {
    this.timeoutNanos = timeout == null ? 0 : timeout.toNanos();
  }

  /** For a backend whose leader has a session: lapses {@code timeout} after the last contact. */
  public static Lease lapsingAfter(Duration timeout) {
    return new Lease(java.util.Objects.requireNonNull(timeout, "timeout"));
  }

  /** For a single process with no session to lose. */
  public static Lease unlimited() {
    return new Lease(null);
  }

  /** Records contact that began at {@code nanos} (a {@link System#nanoTime()} reading). */
  void renew(long nanos) {
    if (nanos - lastContactNanos > 0) {
      lastContactNanos = nanos;
    }
  }

  boolean valid() {
    return timeoutNanos <= 0 || System.nanoTime() - lastContactNanos < timeoutNanos;
  }
}
