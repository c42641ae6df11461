package dev.zkscheduler.service.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.job.JobValidationException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NoopTaskTest {

  private final NoopTask noop = new NoopTask();

  @Test
  void succeedsOrFailsAsConfigured() throws Exception {
    assertThat(noop.execute(new FakeContext(Map.of(), Duration.ofMinutes(1))).succeeded()).isTrue();
    assertThat(
            noop.execute(new FakeContext(Map.of("fail", true), Duration.ofMinutes(1))).succeeded())
        .isFalse();
  }

  @Test
  void aSleepEndsEarlyOnCancel() {
    FakeContext context = new FakeContext(Map.of("sleep", "PT60S"), Duration.ofMinutes(2));
    CompletableFuture<Boolean> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return noop.execute(context).succeeded();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    context.cancel();
    assertThat(result.orTimeout(5, TimeUnit.SECONDS).join()).isFalse();
  }

  @Test
  void badConfigNamesTheField() {
    assertThatThrownBy(() -> noop.validateConfig("t", Map.of("sleep", "soon")))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("t.sleep"));
    assertThatThrownBy(() -> noop.validateConfig("t", Map.of("fail", "yes")))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("t.fail"));
  }
}
