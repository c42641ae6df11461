package dev.zkscheduler.service.api;

import java.util.List;

/** The runs a backfill created, oldest first. */
public record RunIdsDto(List<String> runIds) {}
