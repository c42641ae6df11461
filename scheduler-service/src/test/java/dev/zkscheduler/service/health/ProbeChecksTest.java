package dev.zkscheduler.service.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.health.HealthCheck.Result;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.error.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeChecksTest {

  private static final Instant T = Instant.parse("2026-12-06T00:00:00Z");

  @Test
  void theLoopIsAliveUpToItsLimitAndNotBeforeItsFirstTick() {
    assertThat(loop(null).isHealthy()).isFalse();
    assertThat(loop(() -> -1L).getMessage()).contains("not ticked yet");
    assertThat(loop(() -> 59_999L).isHealthy()).isTrue();
    assertThat(loop(() -> 60_000L).isHealthy()).isTrue();
    assertThat(loop(() -> 60_001L).isHealthy()).isFalse();
  }

  @Test
  void aMemberIsReadyOnlyWhenConnectedAndListed() {
    ClusterStatus listed =
        new ClusterStatus(
            "a",
            3,
            "me",
            false,
            List.of(new Member("a", "h:1", "1", T), new Member("me", "h:2", "1", T)));
    ClusterStatus missing =
        new ClusterStatus("a", 3, "me", false, List.of(new Member("a", "h:1", "1", T)));

    assertThat(member(Result.healthy(), listed).isHealthy()).isTrue();
    assertThat(member(Result.healthy(), missing).isHealthy()).isFalse();
    assertThat(
            new MembershipHealthCheck(
                    () -> Result.unhealthy("down"),
                    () -> {
                      throw new AssertionError("ZooKeeper must not be read while disconnected");
                    })
                .execute()
                .getMessage())
        .contains("not connected");
    assertThat(
            new MembershipHealthCheck(
                    Result::healthy,
                    () -> {
                      throw new StoreUnavailableException("gone", null);
                    })
                .execute()
                .isHealthy())
        .isFalse();
  }

  private static Result loop(Gauge<?> gauge) {
    return new LoopAliveHealthCheck(() -> gauge, Duration.ofSeconds(60)).execute();
  }

  private static Result member(Result connection, ClusterStatus status) {
    return new MembershipHealthCheck(() -> connection, () -> status).execute();
  }
}
