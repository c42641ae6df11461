package dev.zkscheduler.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zkscheduler.lifecycle.Lifecycle.State;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void startsOnceThenClosesForGood() {
    Lifecycle lifecycle = new Lifecycle("part");
    assertThat(lifecycle.state()).isEqualTo(State.LATENT);
    assertThat(lifecycle.isStarted()).isFalse();

    lifecycle.start();
    assertThat(lifecycle.isStarted()).isTrue();
    assertThatThrownBy(lifecycle::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("part started twice");
    assertThat(lifecycle.state()).isEqualTo(State.STARTED);

    assertThat(lifecycle.close()).isEqualTo(State.STARTED);
    assertThat(lifecycle.close()).isEqualTo(State.CLOSED);
    assertThat(lifecycle.isStarted()).isFalse();
    assertThatThrownBy(lifecycle::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("part started after close");
    assertThat(lifecycle.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aCloseBeforeStartReleasesNothingAndForbidsTheStart() {
    Lifecycle lifecycle = new Lifecycle("part");
    assertThat(lifecycle.close()).isEqualTo(State.LATENT);
    assertThat(lifecycle.close()).isEqualTo(State.CLOSED);
    assertThatThrownBy(lifecycle::start).isInstanceOf(IllegalStateException.class);
    assertThat(lifecycle.state()).isEqualTo(State.CLOSED);
  }

  /** What a volatile flag checked then set gets wrong: two racing starts both succeed. */
  @Test
  void ofRacingStartsAndClosesExactlyOneOfEachWins() throws Exception {
    int racers = 8;
    for (int round = 0; round < 50; round++) {
      Lifecycle lifecycle = new Lifecycle("part");
      assertThat(race(racers, () -> startQuietly(lifecycle)))
          .filteredOn(Boolean::booleanValue)
          .hasSize(1);
      assertThat(race(racers, () -> lifecycle.close() == State.STARTED))
          .filteredOn(Boolean::booleanValue)
          .hasSize(1);
    }
  }

  private static boolean startQuietly(Lifecycle lifecycle) {
    try {
      lifecycle.start();
      return true;
    } catch (IllegalStateException lost) {
      return false;
    }
  }

  private static List<Boolean> race(int racers, java.util.concurrent.Callable<Boolean> call)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  return call.call();
                }));
      }
      go.countDown();
      List<Boolean> results = new ArrayList<>();
      for (Future<Boolean> future : futures) {
        results.add(future.get(10, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
