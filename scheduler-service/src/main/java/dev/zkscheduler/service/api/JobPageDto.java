package dev.zkscheduler.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** One page of jobs; {@code next} is the cursor for the following page, null on the last. */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"jobs", "next"})
public record JobPageDto(List<JobDto> jobs, String next) {}
