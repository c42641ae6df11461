package dev.zkscheduler.error;

/**
 * A node refused to start because another live node could lead the same namespace in a way that
 * does not mix with its own: two nodes with leader election off, or one with it off next to nodes
 * that elect. The message names the other node and the namespace, and what to change.
 */
public class LeadershipConflictException extends SchedulerException {

  private static final long serialVersionUID = 1L;

  public LeadershipConflictException(String message) {
    super(message);
  }
}
