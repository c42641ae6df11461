package dev.zkscheduler.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.JobValidationException.FieldError;
import io.dropwizard.jackson.Jackson;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretFieldsTest {

  private static final ObjectMapper JSON = Jackson.newObjectMapper();
  private static final Instant ANCHOR = Instant.parse("2026-03-01T10:15:30Z");

  private final JobMapper mapper = new JobMapper();

  private JobDefinition job(String tasks) throws Exception {
    return mapper.read(JSON.readTree("{\"id\":\"j\",\"tasks\":" + tasks + "}"), ANCHOR);
  }

  private static final String STORED =
      "[{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\"http://x/\","
          + "\"headers\":{\"Authorization\":\"Bearer ${env:TOKEN}\",\"X-Team\":\"payments\"}}},"
          + "{\"id\":\"run\",\"type\":\"shell\",\"config\":{\"command\":[\"true\"],"
          + "\"env\":{\"DB_PASSWORD\":\"hunter2\",\"N\":3}}},"
          + "{\"id\":\"other\",\"type\":\"noop\",\"config\":{\"headers\":{\"a\":\"b\"}}}]";

  @Test
  void headerAndEnvValuesAreAnsweredAsTheMarkerWithTheirNames() throws Exception {
    JobDefinition stored = job(STORED);
    JsonNode answered = JSON.valueToTree(mapper.toDto(stored));
    JsonNode call = answered.get("tasks").get(0).get("config");
    assertThat(call.get("url").asText()).isEqualTo("http://x/");
    assertThat(call.get("headers"))
        .isEqualTo(JSON.readTree("{\"Authorization\":\"<redacted>\",\"X-Team\":\"<redacted>\"}"));
    assertThat(answered.get("tasks").get(1).get("config").get("env"))
        .isEqualTo(JSON.readTree("{\"DB_PASSWORD\":\"<redacted>\",\"N\":\"<redacted>\"}"));
    // Only the built-in types' secret-bearing maps: another type's config is its own.
    assertThat(answered.get("tasks").get(2).get("config").get("headers").get("a").asText())
        .isEqualTo("b");
    assertThat(answered.toString()).doesNotContain("TOKEN").doesNotContain("hunter2");

    JsonNode unredacted = JSON.valueToTree(mapper.toUnredactedDto(stored));
    assertThat(unredacted.get("tasks").get(0).get("config").get("headers").get("Authorization"))
        .isEqualTo(JSON.getNodeFactory().textNode("Bearer ${env:TOKEN}"));
  }

  @Test
  void aJobReadBackAndWrittenAgainKeepsItsStoredValues() throws Exception {
    JobDefinition stored = job(STORED);
    JsonNode readBack = JSON.valueToTree(mapper.toDto(stored));
    JobDefinition written = mapper.read(readBack, ANCHOR);

    SecretFields.Restored restored = SecretFields.restore(written, stored);

    assertThat(restored.keptAny()).isTrue();
    assertThat(restored.job()).isEqualTo(stored);
  }

  @Test
  void newValuesReplaceAndMarkersKeepNameByName() throws Exception {
    JobDefinition stored = job(STORED);
    JobDefinition written =
        job(
            "[{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\"http://x/\","
                + "\"headers\":{\"Authorization\":\"<redacted>\",\"X-Team\":\"billing\"}}}]");
    JobDefinition restored = SecretFields.restore(written, stored).job();
    assertThat(restored.tasks().get(0).config().get("headers"))
        .isEqualTo(Map.of("Authorization", "Bearer ${env:TOKEN}", "X-Team", "billing"));
  }

  @Test
  void aMarkerWithNothingStoredToKeepIsRefusedOnItsField() throws Exception {
    JobDefinition stored = job(STORED);
    JobDefinition written =
        job(
            "[{\"id\":\"call\",\"type\":\"http\",\"config\":{\"url\":\"http://x/\","
                + "\"headers\":{\"Authorization\":\"<redacted>\",\"X-New\":\"<redacted>\"}}},"
                + "{\"id\":\"renamed\",\"type\":\"shell\",\"config\":{\"command\":[\"true\"],"
                + "\"env\":{\"DB_PASSWORD\":\"<redacted>\"}}}]");
    assertThatThrownBy(() -> SecretFields.restore(written, stored))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly(
                        "tasks[0].config.headers.X-New", "tasks[1].config.env.DB_PASSWORD"));
    JobDefinition readBack = mapper.read(JSON.valueToTree(mapper.toDto(stored)), ANCHOR);
    assertThatThrownBy(() -> SecretFields.restore(readBack, null))
        .isInstanceOfSatisfying(
            JobValidationException.class, e -> assertThat(e.errors()).hasSize(4));
  }

  @Test
  void aJobWithoutMarkersIsLeftAsItIs() throws Exception {
    JobDefinition stored = job(STORED);
    SecretFields.Restored restored = SecretFields.restore(stored, null);
    assertThat(restored.keptAny()).isFalse();
    assertThat(restored.job()).isSameAs(stored);
  }
}
