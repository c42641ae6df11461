package dev.zkscheduler.job;

import dev.zkscheduler.dag.TriggerRule;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One task of a job: a handler {@code type} with its {@code config}, its upstream tasks and the
 * rule over their states that lets it start. {@code retry} and {@code timeout} are {@code null}
 * when the job's apply. {@code config} holds JSON values as plain Java objects (maps, lists,
 * strings, numbers, booleans).
 */
public record TaskDefinition(
    String id,
    String type,
    Map<String, Object> config,
    List<String> dependsOn,
    TriggerRule triggerRule,
    RetryPolicy retry,
    Duration timeout) {

  public TaskDefinition {
    config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    triggerRule = triggerRule == null ? TriggerRule.ALL_SUCCESS : triggerRule;
  }
}
