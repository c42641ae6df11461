package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.WorkerSeat;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.store.StoreLimits;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A graceful shutdown leaves only once every report it owes is written. */
class WorkerShutdownTest {

  /** The in-process seat, whose reports wait for {@link #reportMayGo} (ZooKeeper unreachable). */
  private static final class SlowReports implements WorkerSeat {
    final WorkerSeat seat;
    final CountDownLatch reportStarted = new CountDownLatch(1);
    final CountDownLatch reportMayGo = new CountDownLatch(1);
    final List<String> events = new CopyOnWriteArrayList<>();

    SlowReports(WorkerSeat seat) {
      this.seat = seat;
    }

    @Override
    public void open(int capacity, Set<String> taskTypes, Listener listener) throws Exception {
      seat.open(capacity, taskTypes, listener);
    }

    @Override
    public String name() {
      return seat.name();
    }

    @Override
    public boolean report(Assignment assignment, AttemptReport report) {
      reportStarted.countDown();
      try {
        reportMayGo.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      boolean written = seat.report(assignment, report);
      events.add(written ? "reported" : "report refused");
      return written;
    }

    @Override
    public void drain() {
      seat.drain();
    }

    @Override
    public void close() {
      events.add("left");
      seat.close();
    }
  }

  @Test
  void aShutdownWaitsForAReportStillBeingWrittenBeforeItLeaves() throws Exception {
    SlowReports[] seat = new SlowReports[1];
    TermFixture f =
        new TermFixture(
            EngineSettings.DEFAULT,
            StoreLimits.DEFAULT,
            s -> {
              seat[0] = new SlowReports(s);
              return seat[0];
            });
    JobEntry job = f.load(JobDefinition.builder("quick").task("t", "record").build()).get(0);
    f.startedRun(job, "r");
    assertThat(seat[0].reportStarted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(f.runner.running()).as("the handler returned; only its report is pending").isZero();

    Thread closing = new Thread(() -> f.worker.close(Duration.ofSeconds(20)));
    closing.start();
    // Longer than the quiet time after which a draining worker with nothing running leaves.
    await()
        .during(Duration.ofMillis(1_500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !seat[0].events.contains("left"));

    seat[0].reportMayGo.countDown();
    closing.join(20_000);

    assertThat(closing.isAlive()).isFalse();
    assertThat(seat[0].events).containsExactly("reported", "left");
    assertThat(f.ledger).containsExactly("quick/r/t#1");
  }
}
