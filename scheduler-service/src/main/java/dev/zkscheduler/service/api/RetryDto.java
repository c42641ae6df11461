package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A retry policy on the wire. Durations are ISO-8601 text; a null component takes the value of the
 * policy this one refines (the job's, or the default).
 */
@JsonPropertyOrder({"maxAttempts", "initialDelay", "multiplier", "maxDelay", "jitter"})
public record RetryDto(
    Integer maxAttempts, String initialDelay, Double multiplier, String maxDelay, Double jitter) {}
