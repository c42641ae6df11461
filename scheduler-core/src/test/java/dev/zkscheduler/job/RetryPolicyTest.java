package dev.zkscheduler.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

  private final RetryPolicy policy =
      new RetryPolicy(100, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.1);

  @Test
  void delaysGrowGeometricallyThenSaturate() {
    assertThat(policy.baseDelayBeforeAttempt(2)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.baseDelayBeforeAttempt(3)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.baseDelayBeforeAttempt(4)).isEqualTo(Duration.ofSeconds(4));
    assertThat(policy.baseDelayBeforeAttempt(10)).isEqualTo(Duration.ofSeconds(256));
    assertThat(policy.baseDelayBeforeAttempt(11)).isEqualTo(Duration.ofMinutes(5));
  }

  /** docs/design.md, G7: base * 2^attempt overflowed past attempt ~50 and waited forever. */
  @ParameterizedTest
  @ValueSource(ints = {50, 64, 1000, 1_000_000, Integer.MAX_VALUE})
  void hugeAttemptNumbersSaturateAtMaxDelay(int attempt) {
    assertThat(policy.baseDelayBeforeAttempt(attempt)).isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.delayBeforeAttempt(attempt, 0.999)).isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.delayBeforeAttempt(attempt, 0.0)).isEqualTo(Duration.ofMillis(270_000));
  }

  @Property(tries = 500)
  void backoffIsNonDecreasingAndNeverAboveMax(
      @ForAll @IntRange(min = 2, max = Integer.MAX_VALUE - 1) int attempt,
      @ForAll @DoubleRange(min = 1.0, max = 10.0) double multiplier,
      @ForAll @IntRange(min = 100, max = 86_400_000) int initialMillis,
      @ForAll @DoubleRange(min = 0.0, max = 1.0) double random) {
    Duration initial = Duration.ofMillis(initialMillis);
    RetryPolicy p = new RetryPolicy(5, initial, multiplier, Duration.ofDays(1), 0.5);
    Duration base = p.baseDelayBeforeAttempt(attempt);
    assertThat(base).isBetween(initial, Duration.ofDays(1));
    assertThat(p.baseDelayBeforeAttempt(attempt + 1)).isGreaterThanOrEqualTo(base);
    Duration jittered = p.delayBeforeAttempt(attempt, random);
    assertThat(jittered).isBetween(Duration.ZERO, Duration.ofDays(1));
    assertThat((double) jittered.toMillis())
        .isBetween(base.toMillis() * 0.5 - 1, base.toMillis() * 1.5 + 1);
  }

  @Test
  void maxAttemptsCountsTheFirstAttempt() {
    RetryPolicy three = new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), 0);
    assertThat(three.hasAttemptAfter(1)).isTrue();
    assertThat(three.hasAttemptAfter(2)).isTrue();
    assertThat(three.hasAttemptAfter(3)).isFalse();
    assertThat(RetryPolicy.NONE.hasAttemptAfter(1)).isFalse();
  }

  @Test
  void everyInvalidComponentIsNamed() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofSeconds(-1), 0.5, Duration.ZERO, 1.5))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(JobValidationException.FieldError::field)
                    .containsExactly(
                        "maxAttempts", "initialDelay", "maxDelay", "multiplier", "jitter"));
    assertThatThrownBy(
            () -> new RetryPolicy(3, Duration.ofMinutes(10), 2.0, Duration.ofMinutes(1), 0))
        .hasMessageContaining("initialDelay: must not exceed maxDelay");
    assertThatThrownBy(
            () -> new RetryPolicy(3, Duration.ofSeconds(1), Double.NaN, Duration.ofMinutes(1), 0))
        .hasMessageContaining("multiplier");
  }
}
