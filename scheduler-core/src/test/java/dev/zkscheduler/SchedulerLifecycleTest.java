package dev.zkscheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A scheduler node starts once and closes idempotently, like every part it starts. */
class SchedulerLifecycleTest {

  private static Scheduler inMemory() {
    return Scheduler.builder().inMemory().memberId("n1").build();
  }

  @Test
  void startingTwiceThrowsAndClosingTwiceIsHarmless() {
    Scheduler scheduler = inMemory();
    try {
      scheduler.start();
      await().atMost(Duration.ofSeconds(10)).until(scheduler::isLeader);

      assertThatThrownBy(scheduler::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("scheduler started twice");
      assertThat(scheduler.isLeader()).isTrue();

      scheduler.close();
      scheduler.close();
      assertThatThrownBy(scheduler::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("scheduler started after close");
    } finally {
      scheduler.close();
    }
  }

  @Test
  void closingBeforeStartIsHarmlessAndForbidsTheStart() {
    Scheduler scheduler = inMemory();
    scheduler.close();
    scheduler.close();
    assertThatThrownBy(scheduler::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("scheduler started after close");
  }
}
