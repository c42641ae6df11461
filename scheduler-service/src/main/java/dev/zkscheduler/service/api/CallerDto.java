package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** {@code GET /api/v1/whoami}: the token's configured name and its role, in lower case. */
@JsonPropertyOrder({"name", "role"})
public record CallerDto(String name, String role) {}
