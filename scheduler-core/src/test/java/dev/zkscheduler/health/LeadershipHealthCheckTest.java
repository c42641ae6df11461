package dev.zkscheduler.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheck.Result;
import dev.zkscheduler.cluster.ClusterStatus;
import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.cluster.Leadership;
import dev.zkscheduler.cluster.LeadershipListener;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeadershipHealthCheckTest {

  /** A node that holds no term, as a follower or a node standing aside does. */
  private static final Leadership NOT_LEADING =
      new Leadership() {
        @Override
        public Optional<LeaderTerm> currentTerm() {
          return Optional.empty();
        }

        @Override
        public void addListener(LeadershipListener listener) {}

        @Override
        public void endTerm(LeaderTerm term, String reason) {}
      };

  private static final ClusterStatus LED_BY_OTHER =
      new ClusterStatus("other", 7, "self", false, List.of());

  @Test
  void aFollowerIsHealthy() {
    Result result =
        new LeadershipHealthCheck(NOT_LEADING, () -> LED_BY_OTHER, Optional::empty).execute();
    assertThat(result.isHealthy()).isTrue();
    assertThat(result.getMessage()).isEqualTo("follower of other");
  }

  @Test
  void aNodeStandingAsideIsUnhealthyAndSaysWhy() {
    Result result =
        new LeadershipHealthCheck(
                NOT_LEADING, () -> LED_BY_OTHER, () -> Optional.of("another node took a term"))
            .execute();
    assertThat(result.isHealthy()).isFalse();
    assertThat(result.getMessage())
        .isEqualTo("this node stands aside and takes no term: another node took a term");
  }
}
