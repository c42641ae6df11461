package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.WorkerSeat;

/** A seat listener for tests that look at the seat's writes, not at what it is told. */
final class IgnoringListener implements WorkerSeat.Listener {

  @Override
  public void assigned(AssignedAttempt attempt) {}

  @Override
  public void revoked(Assignment assignment) {}

  @Override
  public void sessionLost() {}
}
