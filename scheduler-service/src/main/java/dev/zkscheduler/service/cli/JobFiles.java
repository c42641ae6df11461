package dev.zkscheduler.service.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidator;
import dev.zkscheduler.service.api.JobMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The job definitions of a directory: every {@code *.json} file under it (sorted by path, in
 * subdirectories too) holds one job, as {@code POST /api/v1/jobs} takes it. Each file is checked
 * here as far as a client can — JSON, every field's syntax (the service's own {@link JobMapper}),
 * ids, the DAG and durations ({@link JobValidator} without task types) — and ids must be unique
 * across files. What needs the service (task types and their config, redaction markers) is checked
 * by its {@code diff} call.
 */
final class JobFiles {

  /** One file that read as a job definition: its id and JSON as written. */
  record JobFile(Path file, String id, ObjectNode json) {}

  /** A problem of a file, under its JSON path ({@code ""} for the file as a whole). */
  record Problem(Path file, String field, String message) {
    @Override
    public String toString() {
      return file + (field.isEmpty() ? "" : ": " + field) + ": " + message;
    }
  }

  /** The files that read well, and every problem of those that did not. */
  record Contents(List<JobFile> jobs, List<Problem> problems) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SOURCE_DETAIL = Pattern.compile("\\s*\\([^\\[]*\\[Source:.*?\\]\\)");

  private final JobMapper mapper = new JobMapper();
  private final JobValidator validator = new JobValidator(null);

  /**
   * @throws IOException if the directory cannot be listed
   */
  Contents read(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new IOException(directory + " is not a directory");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(directory)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> p.getFileName().toString().endsWith(".json"))
              .sorted()
              .toList();
    }
    List<JobFile> jobs = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    Map<String, Path> seen = new HashMap<>();
    for (Path file : files) {
      JobFile job = read(file, problems);
      if (job == null) {
        continue;
      }
      Path first = seen.putIfAbsent(job.id(), file);
      if (first != null) {
        problems.add(
            new Problem(
                file,
                "id",
                "job '" + job.id() + "' is also defined in " + directory.relativize(first)));
      } else {
        jobs.add(job);
      }
    }
    return new Contents(jobs, problems);
  }

  private JobFile read(Path file, List<Problem> problems) {
    JsonNode json;
    try {
      json = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      // Jackson's text names the source and repeats positions: keep the sentence, add ours.
      String reason = SOURCE_DETAIL.matcher(e.getOriginalMessage()).replaceAll("");
      problems.add(
          new Problem(
              file,
              "",
              "not JSON: "
                  + reason
                  + (at == null
                      ? ""
                      : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")));
      return null;
    } catch (IOException e) {
      problems.add(new Problem(file, "", "cannot be read: " + e));
      return null;
    }
    if (json == null || !json.isObject()) {
      problems.add(new Problem(file, "", "must hold one job definition, a JSON object"));
      return null;
    }
    List<JobValidationException.FieldError> errors = new ArrayList<>();
    try {
      JobDefinition job = mapper.read(json, Instant.EPOCH);
      errors.addAll(validator.problems(job));
    } catch (JobValidationException e) {
      errors.addAll(e.errors());
    }
    errors.forEach(e -> problems.add(new Problem(file, e.field(), e.message())));
    return errors.isEmpty()
        ? new JobFile(file, json.get("id").textValue(), (ObjectNode) json)
        : null;
  }
}
