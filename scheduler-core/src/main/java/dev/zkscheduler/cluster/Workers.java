package dev.zkscheduler.cluster;

import java.util.Map;
import java.util.Optional;

/**
 * The leader's view of the workers and of what they report, kept current by the backend (a watch on
 * ZooKeeper). Reads of the view are local and cheap; {@link #gone} asks the backend itself.
 * Thread-safe.
 */
public interface Workers {

  /** The live workers by name, as last seen. */
  Map<String, WorkerInfo> live();

  /** The report the worker wrote for {@code assignment}, as last seen; empty while it runs. */
  Optional<AttemptReport> reported(Assignment assignment);

  /**
   * This node's own worker wrote {@code report} for {@code assignment}: the view may tell it from
   * now on, before its watch sees the write, and asks the leader to settle it (see {@link
   * #onChange}). Only for a report the backend has committed.
   */
  default void reportedHere(Assignment assignment, AttemptReport report) {}

  /**
   * Whether {@code worker}'s session is over, read from the backend itself, not the view: once it
   * is, no report of it can be written any more, so its unreported attempts are lost.
   *
   * @throws dev.zkscheduler.error.StoreUnavailableException if the backend cannot be reached
   */
  boolean gone(String worker);

  /**
   * The report of {@code assignment} read from the backend itself: after {@link #gone}, the final
   * answer.
   *
   * @throws dev.zkscheduler.error.StoreUnavailableException if the backend cannot be reached
   */
  Optional<AttemptReport> readReport(Assignment assignment);

  /** The attempts assigned to each worker and not reported yet, as last seen. */
  Map<String, Integer> running();

  /**
   * Removes the assignments folder of a worker whose session is over once nothing is left in it;
   * best effort (a folder left behind is removed by a later call or the worker's next start).
   */
  void removeFolder(String worker);

  /** Asks for {@code listener} to run whenever a worker reports, joins or leaves. */
  void onChange(Runnable listener);
}
