package dev.zkscheduler.dag;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The part of a job's definition a run needs to be driven to its end, copied into the run when it
 * is created: an edit of the job must not change a run already under way (its tasks, their
 * dependencies, rules, handlers, config, retries and timeouts), and a new leader must drive the run
 * the way the old one did. Retry and timeout are resolved (the task's own, else the job's) so that
 * changing a job-level default does not reach into the run either.
 *
 * <p>Plain values only: this package knows nothing of job definitions, and the engine turns {@link
 * Retry} back into a retry policy.
 *
 * @param runTimeout the run's deadline, counted from its start
 * @param tasks every task by id, in declaration order (which breaks ties in the DAG's order)
 * @param jobCreated the creation identity of the job definition's record the run was created from
 *     ({@code Versioned.created}; 0 when not known): a run of a job deleted and created again under
 *     the same id belongs to the job that was deleted
 */
public record PinnedDag(Duration runTimeout, Map<String, Task> tasks, long jobCreated) {

  public PinnedDag {
    Objects.requireNonNull(runTimeout, "runTimeout");
    tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
  }

  /** A DAG whose job's creation identity is not known. */
  public PinnedDag(Duration runTimeout, Map<String, Task> tasks) {
    this(runTimeout, tasks, 0L);
  }

  /** One task as the run was created with it. {@code config} holds plain JSON-like values. */
  public record Task(
      String type,
      Map<String, Object> config,
      List<String> dependsOn,
      TriggerRule triggerRule,
      Retry retry,
      Duration timeout) {

    public Task {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(retry, "retry");
      Objects.requireNonNull(timeout, "timeout");
      config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
      dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
      triggerRule = triggerRule == null ? TriggerRule.ALL_SUCCESS : triggerRule;
    }
  }

  /** The components of a retry policy, unvalidated until the engine rebuilds the policy. */
  public record Retry(
      int maxAttempts,
      Duration initialDelay,
      double multiplier,
      Duration maxDelay,
      double jitter) {}

  /** Each task's {@code dependsOn}, in declaration order: what {@link Dag#of} builds from. */
  public Map<String, List<String>> dependsOn() {
    Map<String, List<String>> deps = new LinkedHashMap<>();
    tasks.forEach((id, task) -> deps.put(id, task.dependsOn()));
    return deps;
  }

  /** Each task's trigger rule. */
  public Map<String, TriggerRule> rules() {
    Map<String, TriggerRule> rules = new LinkedHashMap<>();
    tasks.forEach((id, task) -> rules.put(id, task.triggerRule()));
    return rules;
  }
}
