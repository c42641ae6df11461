package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.store.StoreOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HistoryPruningTest {

  private static final Instant T0 = TermFixture.T0;

  private final TermFixture f = new TermFixture(EngineSettings.DEFAULT.withRetainedRuns(2));
  private final HistoryPruning pruning = new HistoryPruning(f.state);

  @AfterEach
  void close() {
    f.close();
  }

  /** Writes {@code count} finished runs of the job, one a minute from T0; returns their ids. */
  private List<String> finishedRuns(JobEntry job, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant at = T0.plusSeconds(60L * i);
      String id = RunIds.scheduled(at);
      Run run = job.progress.newRun(id, job.job.id(), at, RunTrigger.SCHEDULE, at, 1);
      run = job.progress.cancel(run, at).run();
      f.memory.commit(f.term, List.of(new StoreOp.CreateRun(run)));
      ids.add(id);
    }
    return ids;
  }

  @Test
  void keepsTheNewestTerminalRunsAndEveryActiveOne() {
    JobEntry job = f.load(TermFixture.manualJob("j")).get(0);
    List<String> finished = finishedRuns(job, 5);
    String active = RunIds.scheduled(T0.plusSeconds(600));
    f.startedRun(job, active);

    pruning.prune();

    assertThat(f.memory.runIds("j")).containsExactly(active, finished.get(4), finished.get(3));
  }

  /** One job's listing per tick, round-robin, so a tick never waits on every job's history. */
  @Test
  void visitsOneJobPerTickInTurn() {
    List<JobEntry> jobs = f.load(TermFixture.manualJob("a"), TermFixture.manualJob("b"));
    for (JobEntry job : jobs) {
      finishedRuns(job, 4);
    }

    pruning.prune();
    int afterFirst = f.memory.runIds("a").size() + f.memory.runIds("b").size();
    pruning.prune();

    assertThat(afterFirst).isEqualTo(4 + 2);
    assertThat(f.memory.runIds("a")).hasSize(2);
    assertThat(f.memory.runIds("b")).hasSize(2);
    assertThat(f.store.committed()).filteredOn(ops -> ops.size() == 2).hasSize(2);
  }

  @Test
  void aJobWithinItsRetentionIsNotWritten() {
    JobEntry job = f.load(TermFixture.manualJob("j")).get(0);
    finishedRuns(job, 2);
    int before = f.store.committed().size();

    pruning.prune();
    pruning.prune();

    assertThat(f.store.committed()).hasSize(before);
    assertThat(f.memory.runIds("j")).hasSize(2);
  }
}
