package dev.zkscheduler.cluster;

import java.util.Set;

/**
 * A live worker as it advertises itself. {@code name} is {@code memberId~session}: a worker is one
 * session of one member, so a member that lost its session comes back as a new worker, and nothing
 * written for the old one (an assignment, a report) can pass for the new one's. {@code capacity} is
 * how many attempts it runs at once; {@code taskTypes} the handlers it has; while {@code draining}
 * it takes no new attempt (it is shutting down).
 */
public record WorkerInfo(
    String name, String memberId, int capacity, Set<String> taskTypes, boolean draining) {

  public WorkerInfo {
    taskTypes = Set.copyOf(taskTypes);
  }

  public boolean runs(String taskType) {
    return !draining && taskTypes.contains(taskType);
  }

  /**
   * The member id of a worker name ({@code memberId~session}, the session in hex); the name itself
   * if it has no such suffix (a member id alone, as runs recorded before workers had sessions).
   */
  public static String memberOf(String worker) {
    int at = worker.lastIndexOf(Assignment.SEPARATOR);
    if (at <= 0 || at == worker.length() - 1) {
      return worker;
    }
    for (int i = at + 1; i < worker.length(); i++) {
      if (Character.digit(worker.charAt(i), 16) < 0) {
        return worker;
      }
    }
    return worker.substring(0, at);
  }
}
