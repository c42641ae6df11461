package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * One task on the wire. {@code config} holds plain JSON values; {@code retry} and {@code timeout}
 * are left out when the job's apply, so that a reader can tell an override from the default.
 */
@JsonPropertyOrder({"id", "type", "config", "dependsOn", "triggerRule", "retry", "timeout"})
public record TaskDto(
    String id,
    String type,
    Map<String, Object> config,
    List<String> dependsOn,
    String triggerRule,
    @JsonInclude(JsonInclude.Include.NON_NULL) RetryDto retry,
    @JsonInclude(JsonInclude.Include.NON_NULL) String timeout) {}
