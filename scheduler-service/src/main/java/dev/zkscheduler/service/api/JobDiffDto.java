package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What {@code PUT /api/v1/jobs/{id}} with this body would do: {@code CREATE}, {@code CHANGE} or
 * {@code SAME}, against the stored {@code version} (null when there is none), and the JSON paths
 * that differ — paths only, never values, so that a changed header or env value is named without
 * being shown.
 */
@JsonPropertyOrder({"id", "action", "version", "differences"})
public record JobDiffDto(String id, String action, String version, List<String> differences) {

  public JobDiffDto {
    differences = List.copyOf(differences);
  }
}
