package dev.zkscheduler.service.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.TaskResult;
import dev.zkscheduler.service.secrets.SecretSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellTaskTest {

  private final ShellTask shell = new ShellTask(true, 1024);

  private TaskResult run(Map<String, Object> config) throws Exception {
    return shell.execute(new FakeContext(config, Duration.ofMinutes(1)));
  }

  @Test
  void exitZeroSucceedsWithItsOutputAndEnv(@TempDir Path dir) throws Exception {
    TaskResult result =
        run(
            Map.of(
                "command", List.of("sh", "-c", "echo \"$GREETING from $(pwd)\""),
                "env", Map.of("GREETING", "hello"),
                "workingDir", dir.toString()));
    assertThat(result.succeeded()).isTrue();
    assertThat(result.message()).isEqualTo("hello from " + dir.toRealPath());
  }

  @Test
  void nonZeroExitFailsWithTheCodeAndOutputIsBounded() throws Exception {
    TaskResult result =
        run(
            Map.of(
                "command", List.of("sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; exit 3")));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.message()).startsWith("exit 3: …");
    assertThat(result.message().length()).isLessThanOrEqualTo(1024 + 20);
  }

  @Test
  void cancelKillsTheWholeProcessTree(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve("child.pid");
    FakeContext context =
        new FakeContext(
            Map.of(
                "command", List.of("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; sleep 60")),
            Duration.ofMinutes(1));
    CompletableFuture<TaskResult> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return shell.execute(context);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await().until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
    long child = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(ProcessHandle.of(child)).get().matches(ProcessHandle::isAlive);
    context.cancel();
    TaskResult outcome = result.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.message()).contains("cancelled");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void disabledShellIsRefusedAtValidationAndAtExecution() throws Exception {
    ShellTask off = new ShellTask(false, 1024);
    assertThatThrownBy(
            () -> off.validateConfig("tasks[0].config", Map.of("command", List.of("true"))))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("tasks[0].type"));
    TaskResult result =
        off.execute(new FakeContext(Map.of("command", List.of("true")), Duration.ofMinutes(1)));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.message()).contains("disabled");
  }

  @Test
  void validationNamesEachBadField() {
    assertThatThrownBy(
            () ->
                shell.validateConfig(
                    "c",
                    Map.of("command", "rm -rf /", "env", List.of(), "workingDir", "/no/such/dir")))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(JobValidationException.FieldError::field)
                    .containsExactlyInAnyOrder("c.command", "c.env", "c.workingDir"));
  }

  @Test
  void envReferencesAreResolvedAndScrubbedFromTheOutput() throws Exception {
    ShellTask withSecrets =
        new ShellTask(
            true, 1024, SecretSource.withEnvironment(Map.of("DB_PASSWORD", "hunter2-long")));
    TaskResult result =
        withSecrets.execute(
            new FakeContext(
                Map.of(
                    "command", List.of("sh", "-c", "echo \"pw=$PW dollar=$LIT\"; exit 4"),
                    "env", Map.of("PW", "${env:DB_PASSWORD}", "LIT", "$${x}")),
                Duration.ofMinutes(1)));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.message()).isEqualTo("exit 4: pw=<redacted> dollar=${x}");
  }

  @Test
  void anUnresolvableEnvReferenceFailsBeforeTheCommandStarts(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("ran");
    Path missing = dir.resolve("no-such-secret");
    TaskResult result =
        run(
            Map.of(
                "command", List.of("touch", marker.toString()),
                "env", Map.of("DB_PASSWORD", "${file:" + missing + "}")));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.message())
        .isEqualTo(
            "env 'DB_PASSWORD': ${file:"
                + missing
                + "} cannot be read (NoSuchFileException) on node node-7");
    assertThat(marker).doesNotExist();
  }

  @Test
  void malformedEnvReferencesAreRefusedOnTheVariableTheyAreIn() {
    assertThatThrownBy(
            () ->
                shell.validateConfig(
                    "c",
                    Map.of(
                        "command",
                        List.of("true"),
                        "env",
                        Map.of("A", "${env:OK}", "B", "${secret:x}", "C", 42))))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(JobValidationException.FieldError::field)
                    .containsExactly("c.env.B"));
  }
}
