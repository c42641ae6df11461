package dev.zkscheduler.cluster;

import java.io.Closeable;
import java.util.Set;

/**
 * This node's place as a worker: its registration (capacity and task types), the assignments the
 * leader writes for it, and the one way to report an attempt's end. Thread-safe.
 *
 * <p>Lifecycle: {@link #open} once; {@link #close()} leaves (the leader then counts what was not
 * reported as lost).
 */
public interface WorkerSeat extends Closeable {

  /** What happens to this worker's assignments. Called on one thread, in order. */
  interface Listener {
    /** A new assignment of this worker. */
    void assigned(AssignedAttempt attempt);

    /** The leader took the assignment back (cancelled, timed out, settled): stop it. */
    void revoked(Assignment assignment);

    /**
     * This worker's session is over: its assignments are another worker's to run now. Everything
     * running must stop, and nothing of it can be reported.
     */
    void sessionLost();
  }

  /** Registers as a worker and starts telling {@code listener} of its assignments. */
  void open(int capacity, Set<String> taskTypes, Listener listener) throws Exception;

  /** The current worker name; it changes when the session does. */
  String name();

  /**
   * Writes the report of {@code assignment}, if and only if its worker's session is still the one
   * that holds it and the leader has not taken it back.
   *
   * @return whether it was written
   * @throws dev.zkscheduler.error.StoreUnavailableException if the backend cannot be reached
   */
  boolean report(Assignment assignment, AttemptReport report);

  /** Takes no new assignments from now on (graceful shutdown); ones already given still run. */
  void drain();

  @Override
  void close();
}
