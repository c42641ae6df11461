package dev.zkscheduler.engine;

import java.util.Locale;

/**
 * What a node does in its cluster: a {@code scheduler} may lead (it takes part in the election and,
 * while it leads, decides every fire and every start); a {@code worker} runs the attempts the
 * leader assigns to it. By default a node is both. A cluster needs at least one of each.
 */
public record NodeRoles(boolean scheduler, boolean worker) {

  public static final NodeRoles BOTH = new NodeRoles(true, true);
  public static final NodeRoles SCHEDULER_ONLY = new NodeRoles(true, false);
  public static final NodeRoles WORKER_ONLY = new NodeRoles(false, true);

  public NodeRoles {
    if (!scheduler && !worker) {
      throw new IllegalArgumentException("a node must be a scheduler, a worker, or both");
    }
  }

  /**
   * {@code both}, {@code scheduler} or {@code worker}, any case.
   *
   * @throws IllegalArgumentException for anything else, naming the accepted values
   */
  public static NodeRoles parse(String text) {
    return switch (text == null ? "" : text.trim().toLowerCase(Locale.ROOT)) {
      case "both" -> BOTH;
      case "scheduler" -> SCHEDULER_ONLY;
      case "worker" -> WORKER_ONLY;
      default ->
          throw new IllegalArgumentException(
              "role must be one of both, scheduler, worker; was '" + text + "'");
    };
  }

  @Override
  public String toString() {
    return scheduler && worker ? "both" : scheduler ? "scheduler" : "worker";
  }
}
