package dev.zkscheduler.service.support;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.service.support.OpenApiContract.Violation;
import org.junit.jupiter.api.Test;

/** The contract check rejects what the document does not allow, so the API ITs can fail. */
class OpenApiContractTest {

  private static final OpenApiContract CONTRACT = OpenApiContract.service();
  private static final String JSON = "application/json";

  private static final String JOB =
      """
      {"id":"daily","description":"d","schedule":{"cron":"0 9 * * *","timeZone":"UTC","dstPolicy":"SHIFT_FORWARD"},
       "tasks":[{"id":"a","type":"noop","config":{},"dependsOn":[],"triggerRule":"ALL_SUCCESS"}],
       "retry":{"maxAttempts":3,"initialDelay":"PT1S","multiplier":2.0,"maxDelay":"PT5M","jitter":0.1},
       "timeout":"PT1H","misfirePolicy":"FIRE_ONCE","catchUpLimit":10,"concurrencyPolicy":"FORBID",
       "paused":false}
      """;

  private static final String RUN =
      """
      {"id":"r1","jobId":"daily","nominalTime":"2026-12-01T09:00:00Z","trigger":"SCHEDULE",
       "state":"RUNNING","createdAt":"2026-12-01T09:00:00Z","startedAt":null,"finishedAt":null,
       "epoch":3,"tasks":{"a":{"state":"RUNNING","attempts":1,"startedAt":"2026-12-01T09:00:01Z",
       "finishedAt":null,"nextAttemptAt":null,"node":"n1","worker":"n1~1f","error":null}}}
      """;

  @Test
  void aDocumentedAnswerPasses() {
    assertThatCode(() -> CONTRACT.check("GET", "/api/v1/jobs/daily", 200, JSON, JOB))
        .doesNotThrowAnyException();
    assertThatCode(() -> CONTRACT.check("GET", "/api/v1/jobs/daily/runs/r1", 200, JSON, RUN))
        .doesNotThrowAnyException();
  }

  @Test
  void aRenamedRequiredFieldFails() {
    String renamed = JOB.replace("\"tasks\":", "\"steps\":");
    assertThatThrownBy(() -> CONTRACT.check("GET", "/api/v1/jobs/daily", 200, JSON, renamed))
        .isInstanceOf(Violation.class)
        .hasMessageContaining("steps");
  }

  @Test
  void aRenamedOptionalFieldFails() {
    String renamed = JOB.replace("\"description\":", "\"summary\":");
    assertThatThrownBy(() -> CONTRACT.check("GET", "/api/v1/jobs/daily", 200, JSON, renamed))
        .isInstanceOf(Violation.class)
        .hasMessageContaining("summary");
  }

  @Test
  void aRenamedFieldDeepInsideARunFails() {
    String renamed = RUN.replace("\"attempts\":", "\"tries\":");
    assertThatThrownBy(
            () -> CONTRACT.check("GET", "/api/v1/jobs/daily/runs/r1", 200, JSON, renamed))
        .isInstanceOf(Violation.class)
        .hasMessageContaining("tries");
  }

  @Test
  void aValueOutsideItsEnumFails() {
    String bad =
        RUN.replace("\"state\":\"RUNNING\",\"createdAt\"", "\"state\":\"BUSY\",\"createdAt\"");
    assertThatThrownBy(() -> CONTRACT.check("GET", "/api/v1/jobs/daily/runs/r1", 200, JSON, bad))
        .isInstanceOf(Violation.class);
  }

  @Test
  void anUndocumentedStatusFailsUnlessItIsAnErrorBody() {
    assertThatThrownBy(() -> CONTRACT.check("POST", "/api/v1/jobs/daily/trigger", 200, JSON, JOB))
        .isInstanceOf(Violation.class);
    assertThatCode(
            () ->
                CONTRACT.check(
                    "POST",
                    "/api/v1/jobs/daily/trigger",
                    418,
                    JSON,
                    "{\"code\":418,\"message\":\"x\"}"))
        .doesNotThrowAnyException();
  }

  @Test
  void errorsMustHaveTheErrorShapeEvenOnUnknownPaths() {
    assertThatThrownBy(() -> CONTRACT.check("GET", "/api/v1/nope", 404, JSON, "{\"error\":\"x\"}"))
        .isInstanceOf(Violation.class);
    assertThatThrownBy(() -> CONTRACT.check("GET", "/api/v1/jobs/x", 404, "text/html", "<h1>"))
        .isInstanceOf(Violation.class);
    assertThatCode(
            () ->
                CONTRACT.check(
                    "GET", "/api/v1/nope", 404, JSON, "{\"code\":404,\"message\":\"not found\"}"))
        .doesNotThrowAnyException();
  }

  @Test
  void pathsOutsideTheApiAreNotChecked() {
    assertThatCode(() -> CONTRACT.check("GET", "/healthcheck", 200, "text/plain", "ok"))
        .doesNotThrowAnyException();
  }
}
