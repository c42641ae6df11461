package dev.zkscheduler.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.error.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reports that wait while one is written go out together, and each caller gets its own answer. */
class GroupedReportsTest {

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  /** A scripted ZooKeeper: the first write waits for {@link #release}, every write is recorded. */
  private static class Fake implements GroupedReports.Writes {
    final CountDownLatch firstStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger writes = new AtomicInteger();
    final List<Integer> groupSizes = new CopyOnWriteArrayList<>();
    final Set<String> written = ConcurrentHashMap.newKeySet();
    final Set<String> takenBack = ConcurrentHashMap.newKeySet();
    volatile RuntimeException unknown;
    volatile Error broken;

    private void firstWaits() {
      if (writes.getAndIncrement() == 0) {
        firstStarted.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void together(String worker, List<GroupedReports.Report> reports)
        throws KeeperException {
      firstWaits();
      groupSizes.add(reports.size());
      if (broken != null) {
        throw broken;
      }
      if (unknown != null) {
        throw unknown;
      }
      for (GroupedReports.Report r : reports) {
        if (takenBack.contains(r.assignment().key())) {
          throw new KeeperException.NoNodeException("/assign/" + worker);
        }
      }
      reports.forEach(r -> written.add(r.assignment().key()));
    }

    @Override
    public boolean alone(GroupedReports.Report report) {
      firstWaits();
      if (Thread.currentThread().isInterrupted()) {
        // What ZooKeeper's client does when the calling thread is interrupted.
        throw new StoreUnavailableException("interrupted while reporting", null);
      }
      if (takenBack.contains(report.assignment().key())) {
        return false;
      }
      written.add(report.assignment().key());
      return true;
    }
  }

  private static GroupedReports.Report report(int i) {
    return new GroupedReports.Report(
        new Assignment("w~1", "job", "run-" + i, "t", 1), new byte[] {1, 2, 3});
  }

  /** Starts report 0 (its write blocks), then {@code others} more that queue behind it. */
  private List<Future<Boolean>> reportWhileTheFirstIsWritten(
      GroupedReports reports, Fake fake, int others) throws Exception {
    List<Future<Boolean>> answers = new ArrayList<>();
    answers.add(threads.submit(() -> reports.write(report(0))));
    assertThat(fake.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i <= others; i++) {
      int n = i;
      answers.add(threads.submit(() -> reports.write(report(n))));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> reports.waiting() == others);
    fake.release.countDown();
    return answers;
  }

  @Test
  void reportsThatWaitWhileOneIsWrittenGoOutInOneWrite() throws Exception {
    Fake fake = new Fake();
    GroupedReports reports = new GroupedReports(fake);

    List<Future<Boolean>> answers = reportWhileTheFirstIsWritten(reports, fake, 10);

    for (Future<Boolean> answer : answers) {
      assertThat(answer.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(fake.written).hasSize(11);
    assertThat(fake.writes.get()).as("the lone first write, then one for the ten").isEqualTo(2);
    assertThat(fake.groupSizes).containsExactly(10);
    assertThat(reports.grouped()).containsExactly(1L, 10L);
  }

  @Test
  void aGroupNeverExceedsItsBoundAndEveryReportIsAnswered() throws Exception {
    Fake fake = new Fake();
    GroupedReports reports = new GroupedReports(fake);
    int others = GroupedReports.MAX_REPORTS + 6;

    List<Future<Boolean>> answers = reportWhileTheFirstIsWritten(reports, fake, others);

    for (Future<Boolean> answer : answers) {
      assertThat(answer.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(fake.written).hasSize(others + 1);
    assertThat(fake.groupSizes).allMatch(size -> size <= GroupedReports.MAX_REPORTS);
  }

  @Test
  void aRefusedGroupIsWrittenAgainOneByOneAndEachGetsItsOwnAnswer() throws Exception {
    Fake fake = new Fake();
    fake.takenBack.add(report(3).assignment().key());
    GroupedReports reports = new GroupedReports(fake);

    List<Future<Boolean>> answers = reportWhileTheFirstIsWritten(reports, fake, 5);

    for (int i = 0; i < answers.size(); i++) {
      assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).as("report %s", i).isEqualTo(i != 3);
    }
    assertThat(fake.written).hasSize(5).doesNotContain(report(3).assignment().key());
    assertThat(reports.grouped()).containsExactly(0L, 0L);
  }

  @Test
  void anUnknownOutcomeFailsEveryReportOfTheGroupForItsCallerToRetry() throws Exception {
    Fake fake = new Fake();
    fake.unknown = new StoreUnavailableException("connection lost", null);
    GroupedReports reports = new GroupedReports(fake);

    List<Future<Boolean>> answers = reportWhileTheFirstIsWritten(reports, fake, 4);

    assertThat(answers.get(0).get(10, TimeUnit.SECONDS)).isTrue();
    for (Future<Boolean> answer : answers.subList(1, answers.size())) {
      assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(StoreUnavailableException.class);
    }
    fake.unknown = null;
    assertThat(reports.write(report(7))).isTrue();
  }

  @Test
  void aReportInterruptedWhileItWaitsIsNotWrittenAndSaysSo() throws Exception {
    Fake fake = new Fake();
    GroupedReports reports = new GroupedReports(fake);
    threads.submit(() -> reports.write(report(0)));
    assertThat(fake.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<Throwable> thrown = new CopyOnWriteArrayList<>();
    List<Boolean> flagKept = new CopyOnWriteArrayList<>();
    Thread waiting =
        new Thread(
            () -> {
              try {
                reports.write(report(1));
              } catch (StoreUnavailableException e) {
                thrown.add(e);
                flagKept.add(Thread.currentThread().isInterrupted());
              }
            });
    waiting.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> reports.waiting() == 1);

    waiting.interrupt();
    waiting.join(10_000);
    fake.release.countDown();

    assertThat(thrown).hasSize(1);
    assertThat(flagKept).containsExactly(true);
    assertThat(reports.waiting()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> fake.written.size() == 1);
    assertThat(fake.written).containsExactly(report(0).assignment().key());
  }

  @Test
  void aWriterThatDiesWithAnErrorLeavesNoReportOfItsGroupUnanswered() throws Exception {
    Fake fake = new Fake();
    fake.broken = new AssertionError("out of memory, say");
    GroupedReports reports = new GroupedReports(fake);

    List<Future<Boolean>> answers = reportWhileTheFirstIsWritten(reports, fake, 4);

    assertThat(answers.get(0).get(10, TimeUnit.SECONDS)).isTrue();
    List<Class<?>> causes = new ArrayList<>();
    for (Future<Boolean> answer : answers.subList(1, answers.size())) {
      try {
        answer.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        causes.add(e.getCause().getClass());
      }
    }
    assertThat(causes)
        .as("the writer gets its Error, the others an unknown outcome to retry")
        .containsExactlyInAnyOrder(
            AssertionError.class,
            StoreUnavailableException.class,
            StoreUnavailableException.class,
            StoreUnavailableException.class);
    assertThat(reports.waiting()).isZero();
  }

  @Test
  void aWriterLeftInterruptedByItsHandlerStillWritesAndKeepsItsFlag() {
    Fake fake = new Fake();
    fake.release.countDown();
    GroupedReports reports = new GroupedReports(fake);
    Thread.currentThread().interrupt();
    try {
      assertThat(reports.write(report(1))).isTrue();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(fake.written).containsExactly(report(1).assignment().key());
  }
}
