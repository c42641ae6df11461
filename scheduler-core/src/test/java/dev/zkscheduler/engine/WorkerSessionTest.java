package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.WorkerSeat;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.store.StoreLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A worker whose session is over runs nothing of it, whatever order the news arrives in. */
class WorkerSessionTest {

  /**
   * The in-process seat, holding back the assignments it tells while {@link #hold} is set (an
   * assignment event on its way when the session ends), and naming no worker once {@link #lost}.
   */
  private static final class LateNews implements WorkerSeat {
    final WorkerSeat seat;
    final List<AssignedAttempt> held = new ArrayList<>();
    volatile boolean hold;
    volatile boolean lost;
    Listener listener;

    LateNews(WorkerSeat seat) {
      this.seat = seat;
    }

    @Override
    public void open(int capacity, Set<String> taskTypes, Listener worker) throws Exception {
      this.listener = worker;
      seat.open(
          capacity,
          taskTypes,
          new Listener() {
            @Override
            public void assigned(AssignedAttempt attempt) {
              if (hold) {
                held.add(attempt);
              } else {
                worker.assigned(attempt);
              }
            }

            @Override
            public void revoked(Assignment assignment) {
              worker.revoked(assignment);
            }

            @Override
            public void sessionLost() {
              worker.sessionLost();
            }
          });
    }

    @Override
    public String name() {
      return lost ? null : seat.name();
    }

    @Override
    public boolean report(Assignment assignment, AttemptReport report) {
      return seat.report(assignment, report);
    }

    @Override
    public void drain() {
      seat.drain();
    }

    @Override
    public void close() {
      seat.close();
    }
  }

  /** A term fixture whose worker's seat is a {@link LateNews}, put in {@code seat[0]}. */
  private static TermFixture fixture(LateNews[] seat) {
    return new TermFixture(
        EngineSettings.DEFAULT,
        StoreLimits.DEFAULT,
        s -> {
          seat[0] = new LateNews(s);
          return seat[0];
        });
  }

  /**
   * The session ends while an assignment of it is on its way to the worker (the seat checked it was
   * current just before): told after the session's end, it is not started. The leader counts that
   * attempt lost and offers it again, so starting it would run it twice.
   */
  @Test
  void anAssignmentToldAfterItsSessionEndedIsNotStarted() {
    LateNews[] seat = new LateNews[1];
    try (TermFixture f = fixture(seat)) {
      JobEntry job = f.load(JobDefinition.builder("j").task("t", "block").build()).get(0);
      seat[0].hold = true;
      f.startedRun(job, "r");
      assertThat(seat[0].held).hasSize(1);

      seat[0].lost = true;
      seat[0].listener.sessionLost();
      seat[0].listener.assigned(seat[0].held.get(0));

      // A started "block" handler would be counted running until the fixture closes.
      assertThat(f.runner.running()).isZero();
      assertThat(f.ledger).as("handlers called").isEmpty();
    }
  }

  /** The same attempt told in time runs (the fixture's worker starts it on the calling thread). */
  @Test
  void anAssignmentToldWhileItsSessionLivesIsStarted() {
    LateNews[] seat = new LateNews[1];
    try (TermFixture f = fixture(seat)) {
      JobEntry job = f.load(JobDefinition.builder("j").task("t", "block").build()).get(0);
      seat[0].hold = true;
      f.startedRun(job, "r");

      seat[0].listener.assigned(seat[0].held.get(0));

      assertThat(f.runner.running()).isOne();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(f.ledger).containsExactly("j/r/t#1"));
    }
  }
}
