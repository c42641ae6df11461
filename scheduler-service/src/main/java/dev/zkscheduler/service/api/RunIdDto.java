package dev.zkscheduler.service.api;

/** The run a trigger or cancel request is about. */
public record RunIdDto(String runId) {}
