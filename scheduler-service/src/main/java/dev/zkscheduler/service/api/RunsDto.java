package dev.zkscheduler.service.api;

import dev.zkscheduler.dag.Run;
import java.util.List;

/** {@code GET /api/v1/jobs/{id}/runs}: the newest runs first. */
public record RunsDto(List<RunDto> runs) {

  public static RunsDto from(List<Run> runs) {
    return new RunsDto(runs.stream().map(RunDto::from).toList());
  }
}
