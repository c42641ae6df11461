package dev.zkscheduler.service.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.service.secrets.SecretSource;
import dev.zkscheduler.service.support.Ledger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpTaskTest {

  private Ledger ledger;
  private final HttpTask task = new HttpTask(Duration.ofSeconds(10));

  @BeforeEach
  void start() throws Exception {
    ledger = new Ledger();
  }

  @AfterEach
  void stop() {
    ledger.close();
  }

  @Test
  void sendsTheSchedulerHeadersAndSucceedsOn2xx() throws Exception {
    Map<String, Object> config =
        Map.of(
            "url",
            ledger.url("/ok"),
            "method",
            "put",
            "headers",
            Map.of("X-Team", "payments"),
            "body",
            "{\"a\":1}");
    TaskResult result = task.execute(new FakeContext(config, Duration.ofMinutes(1)));
    assertThat(result.succeeded()).isTrue();
    Ledger.Entry call = ledger.entries().get(0);
    assertThat(call.method()).isEqualTo("PUT");
    assertThat(call.job()).isEqualTo("job-1");
    assertThat(call.run()).isEqualTo("20260101T000000.000Z");
    assertThat(call.task()).isEqualTo("task-1");
    assertThat(call.attempt()).isEqualTo(2);
    assertThat(call.fencingToken()).isEqualTo(42);
    assertThat(call.headers()).containsEntry("x-team", "payments");
    assertThat(call.headers()).containsEntry("x-scheduler-node", "node-7");
  }

  @Test
  void non2xxIsAFailureNamingTheStatus() throws Exception {
    ledger.respond("/broken", 503);
    TaskResult result =
        task.execute(new FakeContext(Map.of("url", ledger.url("/broken")), Duration.ofMinutes(1)));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.message()).contains("503");
  }

  @Test
  void itsOwnTimeoutEndsTheAttemptTimedOutNotFailed() throws Exception {
    ledger.delay("/slow", 10_000);
    TaskResult result =
        task.execute(
            new FakeContext(
                Map.of("url", ledger.url("/slow"), "timeout", "PT0.3S"), Duration.ofMinutes(1)));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.timedOut()).isTrue();
    assertThat(result.message()).contains("timed out after PT0.3S");
  }

  @Test
  void theAttemptDeadlineItIsClampedToAlsoEndsItTimedOut() throws Exception {
    ledger.delay("/slow", 10_000);
    TaskResult result =
        task.execute(new FakeContext(Map.of("url", ledger.url("/slow")), Duration.ofMillis(300)));
    assertThat(result.timedOut()).isTrue();
  }

  @Test
  void anUnreachableReceiverIsAFailureNotATimeout() throws Exception {
    TaskResult result =
        task.execute(
            new FakeContext(
                Map.of("url", "http://127.0.0.1:1/unreachable"), Duration.ofMinutes(1)));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.timedOut()).isFalse();
  }

  @Test
  void cancellationAbortsTheRequest() {
    ledger.delay("/hang", 30_000);
    FakeContext context =
        new FakeContext(Map.of("url", ledger.url("/hang")), Duration.ofMinutes(1));
    CompletableFuture<TaskResult> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return task.execute(context);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Awaitility.await().until(() -> !ledger.entries().isEmpty());
    context.cancel();
    TaskResult outcome = result.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.message()).contains("cancelled");
  }

  @Test
  void validationNamesEachBadField() {
    assertThatThrownBy(
            () ->
                task.validateConfig(
                    "tasks[0].config",
                    Map.of(
                        "url", "ftp://example.com/x",
                        "method", "BREW",
                        "timeout", "-PT1S",
                        "headers", Map.of("Host", "evil", "X-Scheduler-Run", "x", "bad name", "v"),
                        "body", List.of(1))))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(JobValidationException.FieldError::field)
                    .containsExactlyInAnyOrder(
                        "tasks[0].config.url",
                        "tasks[0].config.method",
                        "tasks[0].config.timeout",
                        "tasks[0].config.headers.Host",
                        "tasks[0].config.headers.X-Scheduler-Run",
                        "tasks[0].config.headers.bad name",
                        "tasks[0].config.body"));
    assertThatThrownBy(() -> task.validateConfig("c", Map.of()))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("c.url"));
  }

  @Test
  void headerReferencesAreResolvedForEachAttemptOnTheNode(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tenant");
    Files.writeString(file, "acme\n");
    HttpTask withSecrets =
        new HttpTask(
            Duration.ofSeconds(10), SecretSource.withEnvironment(Map.of("API_TOKEN", "tok-123")));
    Map<String, Object> config =
        Map.of(
            "url",
            ledger.url("/ok"),
            "headers",
            Map.of(
                "Authorization", "Bearer ${env:API_TOKEN}",
                "X-Tenant", "${file:" + file + "}",
                "X-Literal", "$${env:API_TOKEN}"));
    assertThat(withSecrets.execute(new FakeContext(config, Duration.ofMinutes(1))).succeeded())
        .isTrue();
    assertThat(ledger.entries().get(0).headers())
        .containsEntry("authorization", "Bearer tok-123")
        .containsEntry("x-tenant", "acme")
        .containsEntry("x-literal", "${env:API_TOKEN}");
  }

  @Test
  void anUnresolvableReferenceFailsTheAttemptBeforeAnythingIsSent() throws Exception {
    TaskResult result =
        new HttpTask(Duration.ofSeconds(10), SecretSource.withEnvironment(Map.of()))
            .execute(
                new FakeContext(
                    Map.of(
                        "url",
                        ledger.url("/ok"),
                        "headers",
                        Map.of("Authorization", "Bearer ${env:API_TOKEN}")),
                    Duration.ofMinutes(1)));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.message())
        .isEqualTo("header 'Authorization': ${env:API_TOKEN} is not set on node node-7");
    assertThat(ledger.entries()).isEmpty();
  }

  @Test
  void aResolvedValueThatIsNoHeaderValueFailsWithoutShowingIt() throws Exception {
    TaskResult result =
        new HttpTask(
                Duration.ofSeconds(10),
                SecretSource.withEnvironment(Map.of("API_TOKEN", "line-one\nline-two-secret")))
            .execute(
                new FakeContext(
                    Map.of(
                        "url",
                        ledger.url("/ok"),
                        "headers",
                        Map.of("Authorization", "${env:API_TOKEN}")),
                    Duration.ofMinutes(1)));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.message())
        .contains("header 'Authorization'")
        .doesNotContain("line-one")
        .doesNotContain("secret");
    assertThat(ledger.entries()).isEmpty();
  }

  @Test
  void malformedReferencesAreRefusedOnTheHeaderTheyAreIn() {
    assertThatThrownBy(
            () ->
                task.validateConfig(
                    "tasks[0].config",
                    Map.of(
                        "url",
                        "http://example.com/",
                        "headers",
                        Map.of(
                            "Authorization", "Bearer ${env:API_TOKEN",
                            "X-Ok", "${env:API_TOKEN}",
                            "X-Escaped", "$${literal"))))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> {
              assertThat(e.errors())
                  .extracting(JobValidationException.FieldError::field)
                  .containsExactly("tasks[0].config.headers.Authorization");
              assertThat(e.errors().get(0).message()).contains("'$${'");
            });
  }
}
