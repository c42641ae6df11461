package dev.zkscheduler.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.job.JobDefaults;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import io.dropwizard.jackson.Jackson;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobMapperTest {

  private static final ObjectMapper JSON = Jackson.newObjectMapper();
  private static final Instant ANCHOR = Instant.parse("2026-03-01T10:15:30Z");

  private final JobMapper mapper = new JobMapper();

  /** Every documented field, with a value other than its default, in its canonical spelling. */
  private static final String FULL_TASKS =
      "[{\"id\":\"fetch\",\"type\":\"http\","
          + "\"config\":{\"url\":\"https://example.com\",\"n\":1.5,\"on\":true,\"none\":null,"
          + "\"list\":[1,\"two\",{\"three\":3}]},"
          + "\"dependsOn\":[],\"triggerRule\":\"ALL_SUCCESS\","
          + "\"retry\":{\"maxAttempts\":4,\"initialDelay\":\"PT2S\",\"multiplier\":3.0,"
          + "\"maxDelay\":\"PT1M\",\"jitter\":0.25},\"timeout\":\"PT5M\"},"
          + "{\"id\":\"report\",\"type\":\"noop\",\"config\":{},\"dependsOn\":[\"fetch\"],"
          + "\"triggerRule\":\"ALL_DONE\"}]";

  private static final String FULL_REST =
      ",\"retry\":{\"maxAttempts\":2,\"initialDelay\":\"PT10S\",\"multiplier\":1.5,"
          + "\"maxDelay\":\"PT10M\",\"jitter\":0.1},\"timeout\":\"PT2H\","
          + "\"misfirePolicy\":\"SKIP\",\"misfireThreshold\":\"PT5M\",\"catchUpLimit\":7,\"concurrencyPolicy\":\"ALLOW\","
          + "\"paused\":true}";

  static Stream<String> fullJobs() {
    return Stream.of(
        "{\"id\":\"cron-job\",\"description\":\"all fields\","
            + "\"schedule\":{\"cron\":\"0 9 * * MON-FRI\",\"timeZone\":\"Europe/Paris\","
            + "\"dstPolicy\":\"SKIP_GAP\"},\"tasks\":"
            + FULL_TASKS
            + FULL_REST,
        "{\"id\":\"interval-job\",\"description\":\"all fields\","
            + "\"schedule\":{\"interval\":\"PT15M\",\"startAt\":\"2026-01-01T00:00:00Z\"},"
            + "\"tasks\":"
            + FULL_TASKS
            + FULL_REST,
        "{\"id\":\"once-job\",\"schedule\":{\"at\":\"2026-12-01T14:00:00Z\"},\"tasks\":"
            + FULL_TASKS
            + FULL_REST);
  }

  @ParameterizedTest
  @MethodSource("fullJobs")
  void everyDocumentedFieldSurvivesJsonToDomainToJson(String json) throws Exception {
    JobDefinition job = mapper.read(JSON.readTree(json), ANCHOR);

    JsonNode back = JSON.readTree(JSON.writeValueAsString(mapper.toDto(job)));

    assertThat(back).isEqualTo(JSON.readTree(json));
  }

  @ParameterizedTest
  @MethodSource("fullJobs")
  void everyDocumentedFieldSurvivesDtoToDomainToDto(String json) throws Exception {
    JobDto dto = JSON.readValue(json, JobDto.class);

    assertThat(mapper.toDto(mapper.toDomain(dto, ANCHOR))).isEqualTo(dto);
  }

  @Test
  void omittedFieldsTakeTheDefaultsAndOptionalOnesStayOut() throws Exception {
    JobDefinition job =
        mapper.read(
            JSON.readTree("{\"id\":\"min\",\"tasks\":[{\"id\":\"t\",\"type\":\"noop\"}]}"), ANCHOR);

    JobDto dto = mapper.toDto(job);
    assertThat(dto.retry().maxAttempts()).isEqualTo(JobDefaults.RETRY.maxAttempts());
    assertThat(dto.retry().initialDelay()).isEqualTo(JobDefaults.RETRY.initialDelay().toString());
    assertThat(dto.timeout()).isEqualTo(JobDefaults.TIMEOUT.toString());
    assertThat(dto.misfirePolicy()).isEqualTo(JobDefaults.MISFIRE_POLICY.name());
    assertThat(dto.catchUpLimit()).isEqualTo(JobDefaults.CATCH_UP_LIMIT);
    assertThat(dto.concurrencyPolicy()).isEqualTo(JobDefaults.CONCURRENCY_POLICY.name());
    assertThat(dto.paused()).isFalse();
    assertThat(job.misfireThreshold()).as("the node's").isNull();

    ObjectNode json = (ObjectNode) JSON.readTree(JSON.writeValueAsString(dto));
    assertThat(json.has("description")).isFalse();
    assertThat(json.has("misfireThreshold")).isFalse();
    assertThat(json.has("schedule")).isFalse();
    assertThat(json.has("status")).isFalse();
    JsonNode task = json.get("tasks").get(0);
    assertThat(task.has("retry")).isFalse();
    assertThat(task.has("timeout")).isFalse();
    assertThat(task.get("config").isObject()).isTrue();
    assertThat(task.get("dependsOn").isArray()).isTrue();
    assertThat(task.get("triggerRule").asText()).isEqualTo("ALL_SUCCESS");
  }

  @Test
  void aMisfireThresholdIsReadAsADurationAndAnsweredAfterTheMisfirePolicy() throws Exception {
    JobDefinition job =
        mapper.read(
            JSON.readTree(
                "{\"id\":\"m\",\"misfireThreshold\":\"PT90S\",\"misfirePolicy\":\"SKIP\"}"),
            ANCHOR);

    assertThat(job.misfireThreshold()).isEqualTo(java.time.Duration.ofSeconds(90));
    JsonNode json = JSON.readTree(JSON.writeValueAsString(mapper.toDto(job)));
    assertThat(json.get("misfireThreshold").asText()).isEqualTo("PT1M30S");
    List<String> names = new java.util.ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsSequence("misfirePolicy", "misfireThreshold", "catchUpLimit");
  }

  @Test
  void enumsAreReadInAnyCaseAndAnsweredInCapitals() throws Exception {
    JobDefinition job =
        mapper.read(
            JSON.readTree(
                "{\"id\":\"e\",\"misfirePolicy\":\"skip\",\"schedule\":{\"cron\":\"0 * * * *\","
                    + "\"dstPolicy\":\"skip_gap\"}}"),
            ANCHOR);

    JobDto dto = mapper.toDto(job);
    assertThat(dto.misfirePolicy()).isEqualTo("SKIP");
    assertThat(dto.schedule().dstPolicy()).isEqualTo("SKIP_GAP");
    assertThat(dto.schedule().timeZone()).as("no zone means UTC").isEqualTo("UTC");
  }

  @Test
  void anIntervalWithoutStartAtIsAnchoredAtTheGivenInstant() throws Exception {
    JobDefinition job =
        mapper.read(JSON.readTree("{\"id\":\"i\",\"schedule\":{\"interval\":\"PT1M\"}}"), ANCHOR);

    assertThat(mapper.toDto(job).schedule().startAt()).isEqualTo(ANCHOR.toString());
  }

  @Test
  void aTaskRetryRefinesTheJobRetry() throws Exception {
    JobDefinition job =
        mapper.read(
            JSON.readTree(
                "{\"id\":\"r\",\"retry\":{\"maxAttempts\":5,\"jitter\":0.5},"
                    + "\"tasks\":[{\"id\":\"t\",\"type\":\"noop\",\"retry\":{\"maxAttempts\":2}}]}"),
            ANCHOR);

    assertThat(job.tasks().get(0).retry().maxAttempts()).isEqualTo(2);
    assertThat(job.tasks().get(0).retry().jitter()).isEqualTo(job.retry().jitter());
  }

  static Stream<Arguments> badFields() {
    return Stream.of(
        Arguments.of("{\"id\":\"j\",\"schedule\":{\"cron\":\"61 * * * *\"}}", "schedule.cron"),
        Arguments.of(
            "{\"id\":\"j\",\"schedule\":{\"cron\":\"0 * * * *\",\"timeZone\":\"+05:00\"}}",
            "schedule.timeZone"),
        Arguments.of(
            "{\"id\":\"j\",\"schedule\":{\"cron\":\"0 * * * *\",\"dstPolicy\":\"maybe\"}}",
            "schedule.dstPolicy"),
        Arguments.of("{\"id\":\"j\",\"schedule\":{\"interval\":\"1m\"}}", "schedule.interval"),
        Arguments.of(
            "{\"id\":\"j\",\"schedule\":{\"interval\":\"PT1M\",\"startAt\":\"now\"}}",
            "schedule.startAt"),
        Arguments.of("{\"id\":\"j\",\"schedule\":{\"at\":\"tomorrow\"}}", "schedule.at"),
        Arguments.of(
            "{\"id\":\"j\",\"schedule\":{\"at\":\"2026-01-01T00:00:00Z\",\"interval\":\"PT1M\"}}",
            "schedule"),
        Arguments.of("{\"id\":\"j\",\"timeout\":\"10 minutes\"}", "timeout"),
        Arguments.of("{\"id\":\"j\",\"misfirePolicy\":\"SOMETIMES\"}", "misfirePolicy"),
        Arguments.of("{\"id\":\"j\",\"misfireThreshold\":\"5 minutes\"}", "misfireThreshold"),
        Arguments.of("{\"id\":\"j\",\"concurrencyPolicy\":\"queue\"}", "concurrencyPolicy"),
        Arguments.of("{\"id\":\"j\",\"catchUpLimit\":0}", "catchUpLimit"),
        Arguments.of("{\"id\":\"j\",\"retry\":{\"maxAttempts\":0}}", "retry.maxAttempts"),
        Arguments.of("{\"id\":\"j\",\"retry\":{\"jitter\":2.0}}", "retry.jitter"),
        Arguments.of("{\"id\":\"j\",\"retry\":{\"maxDelay\":\"soon\"}}", "retry.maxDelay"),
        Arguments.of(
            "{\"id\":\"j\",\"tasks\":[{\"id\":\"a\",\"type\":\"noop\"},"
                + "{\"id\":\"b\",\"type\":\"noop\",\"triggerRule\":\"whenever\"}]}",
            "tasks[1].triggerRule"),
        Arguments.of(
            "{\"id\":\"j\",\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"timeout\":\"x\"}]}",
            "tasks[0].timeout"),
        Arguments.of(
            "{\"id\":\"j\",\"tasks\":[{\"id\":\"a\",\"type\":\"noop\","
                + "\"retry\":{\"initialDelay\":\"PT2H\"}}]}",
            "tasks[0].retry.initialDelay"));
  }

  @ParameterizedTest
  @MethodSource("badFields")
  void aBadValueIsNamedTheSameWhetherReadFromJsonOrMappedFromADto(String json, String field)
      throws Exception {
    List<FieldError> fromJson = errors(() -> mapper.read(JSON.readTree(json), ANCHOR));
    List<FieldError> fromDto =
        errors(() -> mapper.toDomain(JSON.readValue(json, JobDto.class), ANCHOR));

    assertThat(fromJson).extracting(FieldError::field).containsExactly(field);
    assertThat(fromDto).isEqualTo(fromJson);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"id\":5}",
        "{\"id\":\"j\",\"description\":[]}",
        "{\"id\":\"j\",\"paused\":\"yes\"}",
        "{\"id\":\"j\",\"misfireThreshold\":300}",
        "{\"id\":\"j\",\"catchUpLimit\":1.5}",
        "{\"id\":\"j\",\"catchUpLimit\":99999999999}",
        "{\"id\":\"j\",\"retry\":7}",
        "{\"id\":\"j\",\"retry\":{\"multiplier\":\"x\"}}",
        "{\"id\":\"j\",\"schedule\":\"daily\"}",
        "{\"id\":\"j\",\"schedule\":{\"cron\":5}}",
        "{\"id\":\"j\",\"tasks\":{}}",
        "{\"id\":\"j\",\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"config\":[]}]}",
        "{\"id\":\"j\",\"tasks\":[{\"id\":\"a\",\"type\":\"noop\",\"dependsOn\":[\"b\",3]}]}"
      })
  void aFieldOfTheWrongJsonTypeIsNamed(String json) throws Exception {
    JsonNode body = JSON.readTree(json);

    List<FieldError> errors = errors(() -> mapper.read(body, ANCHOR));

    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).message()).startsWith("must be");
    assertThat(pathExists(body, errors.get(0).field())).as(errors.toString()).isTrue();
  }

  @Test
  void typeAndValueErrorsAreListedInTheOrderOfTheFields() throws Exception {
    String json =
        "{\"id\":\"j\",\"schedule\":{\"cron\":\"bad\"},\"retry\":{\"jitter\":\"x\","
            + "\"initialDelay\":\"y\"},\"timeout\":\"z\",\"misfireThreshold\":\"v\","
            + "\"paused\":\"yes\","
            + "\"tasks\":[1,{\"id\":2,\"type\":\"noop\",\"timeout\":\"w\"}]}";

    List<FieldError> errors = errors(() -> mapper.read(JSON.readTree(json), ANCHOR));

    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "schedule.cron",
            "retry.initialDelay",
            "retry.jitter",
            "timeout",
            "misfireThreshold",
            "paused",
            "tasks[0]",
            "tasks[1].id",
            "tasks[1].timeout");
  }

  @Test
  void aZeroCatchUpLimitIsOnlyReportedOnItsOwn() throws Exception {
    List<FieldError> errors =
        errors(
            () ->
                mapper.read(
                    JSON.readTree("{\"id\":\"j\",\"catchUpLimit\":0,\"timeout\":\"x\"}"), ANCHOR));

    assertThat(errors).extracting(FieldError::field).containsExactly("timeout");
  }

  @Test
  void unknownFieldsAreIgnored() throws Exception {
    JobDefinition job =
        mapper.read(JSON.readTree("{\"id\":\"u\",\"colour\":\"blue\",\"status\":{}}"), ANCHOR);

    assertThat(job.id()).isEqualTo("u");
  }

  private static boolean pathExists(JsonNode body, String path) {
    JsonNode node = body;
    for (String part : path.split("\\.")) {
      String name = part.replaceAll("\\[.*", "");
      node = node.path(name);
      for (String index : part.replaceFirst("^[^\\[]*", "").split("[\\[\\]]+")) {
        if (!index.isEmpty()) {
          node = node.path(Integer.parseInt(index));
        }
      }
    }
    return !node.isMissingNode();
  }

  private interface Call {
    void run() throws Exception;
  }

  private static List<FieldError> errors(Call call) {
    try {
      call.run();
    } catch (JobValidationException e) {
      return e.errors();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a JobValidationException");
  }

  @Test
  void nonObjectsAreRefused() {
    assertThatThrownBy(() -> mapper.read(JSON.readTree("[1]"), ANCHOR))
        .isInstanceOf(JobValidationException.class);
  }
}
