package dev.zkscheduler.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.health.HealthCheck.Result;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClockSkewHealthCheckTest {

  private static final Duration LIMIT = Duration.ofSeconds(1);

  private static Result check(Duration skew, Duration limit) {
    return new ClockSkewHealthCheck(() -> Optional.of(skew), limit).execute();
  }

  @Test
  void healthyBeforeTheFirstMeasurement() {
    Result result = new ClockSkewHealthCheck(Optional::empty, LIMIT).execute();
    assertThat(result.isHealthy()).isTrue();
    assertThat(result.getMessage()).contains("not measured yet");
  }

  @Test
  void healthyUpToTheLimitEitherWayWithTheMeasuredValue() {
    Result ahead = check(LIMIT, LIMIT);
    assertThat(ahead.isHealthy()).isTrue();
    assertThat(ahead.getMessage()).contains(LIMIT.toMillis() + " ms ahead of");

    Result behind = check(LIMIT.negated(), LIMIT);
    assertThat(behind.isHealthy()).isTrue();
    assertThat(behind.getMessage()).contains(LIMIT.toMillis() + " ms behind");

    assertThat(check(Duration.ZERO, LIMIT).isHealthy()).isTrue();
  }

  @Test
  void unhealthyJustBeyondTheLimitEitherWayNamingTheSkew() {
    Duration over = LIMIT.plusMillis(1);
    Result ahead = check(over, LIMIT);
    assertThat(ahead.isHealthy()).isFalse();
    assertThat(ahead.getMessage()).contains(over.toMillis() + " ms ahead of", "fix time sync");

    Result behind = check(over.negated(), LIMIT);
    assertThat(behind.isHealthy()).isFalse();
    assertThat(behind.getMessage()).contains(over.toMillis() + " ms behind");
  }

  @Test
  void theLimitIsTheConstructorsNotAFixedSecond() {
    Duration skew = Duration.ofMillis(300);
    assertThat(check(skew, Duration.ofMillis(200)).isHealthy()).isFalse();
    assertThat(check(skew, Duration.ofSeconds(5)).isHealthy()).isTrue();
    assertThat(check(Duration.ofSeconds(3), Duration.ofSeconds(5)).isHealthy()).isTrue();
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertThatThrownBy(() -> new ClockSkewHealthCheck(Optional::empty, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
