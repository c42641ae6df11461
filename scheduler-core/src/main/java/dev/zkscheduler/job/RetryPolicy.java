package dev.zkscheduler.job;

import java.time.Duration;

/**
 * Bounded exponential backoff. {@code maxAttempts} counts the first attempt (1 = no retry).
 *
 * <p>The delay before attempt {@code n+1} is {@code min(maxDelay, initialDelay·multiplier^(n-1))}
 * with a jitter of ±{@code jitter}·delay; it saturates for every attempt number.
 */
public record RetryPolicy(
    int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {

  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.0);
}
