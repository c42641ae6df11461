package dev.zkscheduler.job;

import dev.zkscheduler.job.JobValidationException.FieldError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounded exponential backoff. {@code maxAttempts} counts the first attempt (1 = no retry).
 *
 * <p>The delay before attempt {@code n} (n ≥ 2) is {@code min(maxDelay, initialDelay ·
 * multiplier^(n-2))}, then spread by ±{@code jitter} of itself and capped at {@code maxDelay}
 * again. It saturates at {@code maxDelay} for every attempt number up to {@link Integer#MAX_VALUE}:
 * the power is compared in log space, so it never overflows, never becomes Infinity or NaN
 * (docs/design.md, G7).
 *
 * @param maxAttempts 1–100
 * @param initialDelay PT0.1S–P1D, at most {@code maxDelay}
 * @param multiplier 1.0–10.0
 * @param maxDelay at most P1D
 * @param jitter 0.0–1.0, the fraction by which a delay may vary either way
 */
public record RetryPolicy(
    int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {

  public static final int MAX_ATTEMPTS = 100;
  public static final Duration MIN_DELAY = Duration.ofMillis(100);
  public static final Duration MAX_DELAY = Duration.ofDays(1);

  /** No retry: one attempt. */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.0);

  /**
   * @throws JobValidationException naming every invalid component (relative names such as {@code
   *     maxAttempts}; callers prefix them with the path of the retry object)
   */
  public RetryPolicy {
    List<FieldError> errors = new ArrayList<>();
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
      errors.add(
          new FieldError(
              "maxAttempts", "must be between 1 and " + MAX_ATTEMPTS + ", was " + maxAttempts));
    }
    checkDelay(errors, "initialDelay", initialDelay);
    checkDelay(errors, "maxDelay", maxDelay);
    if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
      errors.add(new FieldError("multiplier", "must be between 1.0 and 10.0, was " + multiplier));
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      errors.add(new FieldError("jitter", "must be between 0.0 and 1.0, was " + jitter));
    }
    if (errors.isEmpty() && initialDelay.compareTo(maxDelay) > 0) {
      errors.add(
          new FieldError(
              "initialDelay", "must not exceed maxDelay (" + maxDelay + "), was " + initialDelay));
    }
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
  }

  private static void checkDelay(List<FieldError> errors, String field, Duration delay) {
    if (delay == null) {
      errors.add(new FieldError(field, "must be set"));
    } else if (delay.isNegative() || delay.isZero()) {
      errors.add(new FieldError(field, "must be positive, was " + delay));
    } else if (delay.compareTo(MIN_DELAY) < 0 || delay.compareTo(MAX_DELAY) > 0) {
      errors.add(new FieldError(field, "must be between PT0.1S and P1D, was " + delay));
    }
  }

  /** Whether another attempt may follow attempt number {@code attempt} (1-based). */
  public boolean hasAttemptAfter(int attempt) {
    return attempt < maxAttempts;
  }

  /**
   * The delay before attempt {@code attempt} (≥ 2), with jitter drawn from {@code random01} in [0,
   * 1): 0.5 means no jitter, 0 the most negative, values near 1 the most positive.
   *
   * @throws IllegalArgumentException if {@code attempt < 2} or {@code random01} is outside [0, 1]
   */
  public Duration delayBeforeAttempt(int attempt, double random01) {
    if (attempt < 2) {
      throw new IllegalArgumentException("attempt must be at least 2, was " + attempt);
    }
    if (!(random01 >= 0.0 && random01 <= 1.0)) {
      throw new IllegalArgumentException("random01 must be in [0, 1], was " + random01);
    }
    double base = baseDelayMillis(attempt);
    double spread = base * jitter * (2.0 * random01 - 1.0);
    double millis = Math.min(maxDelay.toMillis(), Math.max(0.0, base + spread));
    return Duration.ofMillis(Math.round(millis));
  }

  /** The delay before {@code attempt} without jitter: non-decreasing, saturating at maxDelay. */
  public Duration baseDelayBeforeAttempt(int attempt) {
    if (attempt < 2) {
      throw new IllegalArgumentException("attempt must be at least 2, was " + attempt);
    }
    return Duration.ofMillis(Math.round(baseDelayMillis(attempt)));
  }

  private double baseDelayMillis(int attempt) {
    double initial = initialDelay.toMillis();
    double max = maxDelay.toMillis();
    int exponent = attempt - 2;
    // Compare logarithms so that multiplier^exponent is never computed when it would exceed
    // max/initial: no overflow and no Infinity for any exponent up to Integer.MAX_VALUE.
    if (multiplier == 1.0 || exponent == 0) {
      return Math.min(initial, max);
    }
    if (exponent * Math.log(multiplier) >= Math.log(max / initial)) {
      return max;
    }
    return Math.min(max, initial * Math.pow(multiplier, exponent));
  }
}
