package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunProgress;
import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.dag.TaskRun;
import dev.zkscheduler.dag.TaskState;
import dev.zkscheduler.job.JobDefaults;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobValidator;
import dev.zkscheduler.job.TaskDefinition;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.codec.JobCodec;
import dev.zkscheduler.store.codec.RunCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run carries its job's DAG, so its record grows with the job. The largest job the validator
 * accepts must still make a run under the record limit, with every task ended, a long member id and
 * an error message of 1,000 characters on each task (what a handler's message may be is not bounded
 * by the scheduler; 1,000 is the assumption this budget is measured with).
 */
class PinnedRunSizeTest {

  private static final Instant T = Instant.parse("2026-12-01T14:00:00Z");

  /** 100 tasks with 128-character ids, no overrides, config filling the rest of 64 KiB. */
  private static JobDefinition largestAcceptedJob() {
    List<TaskDefinition> tasks = new ArrayList<>();
    for (int i = 0; i < JobDefaults.MAX_TASKS; i++) {
      String id = String.format("%03d", i) + "t".repeat(125);
      List<String> deps = i == 0 ? List.of() : List.of(tasks.get(i - 1).id());
      tasks.add(new TaskDefinition(id, "noop", null, deps, null, null, null));
    }
    JobDefinition bare = JobDefinition.builder("j".repeat(128)).tasks(tasks).build();
    int room = JobDefaults.MAX_ENCODED_BYTES - JobCodec.encode(bare).length - 16;
    TaskDefinition first = tasks.get(0);
    tasks.set(
        0,
        new TaskDefinition(
            first.id(),
            first.type(),
            Map.of("pad", "x".repeat(room)),
            first.dependsOn(),
            null,
            null,
            null));
    return JobDefinition.builder("j".repeat(128)).tasks(tasks).build();
  }

  @Test
  void theLargestAcceptedJobMakesARunUnderTheRecordLimit() {
    JobDefinition job = largestAcceptedJob();
    new JobValidator(null).validate(job);
    int jobBytes = JobCodec.encode(job).length;
    assertThat(jobBytes).isGreaterThan(JobDefaults.MAX_ENCODED_BYTES - 64);

    RunProgress progress = new JobEntry(new Versioned<>(job, 0), null).progress;
    Run run =
        progress.newRun("20261201T140000.000Z-manual-x", job.id(), T, RunTrigger.MANUAL, T, 1);
    Map<String, TaskRun> ended = new LinkedHashMap<>();
    run.tasks()
        .forEach(
            (id, t) ->
                ended.put(
                    id,
                    new TaskRun(
                        TaskState.FAILED,
                        JobDefaults.RETRY.maxAttempts(),
                        T,
                        T.plusSeconds(1),
                        null,
                        "m".repeat(128),
                        "e".repeat(1000))));
    int runBytes = RunCodec.encode(run.with(run.state(), T, T, ended)).length;
    int withoutDag =
        RunCodec.encode(
                new Run(
                    run.id(), run.jobId(), T, RunTrigger.MANUAL, run.state(), T, T, T, 1, ended))
            .length;

    System.out.printf(
        "largest accepted job %d bytes; its run %d bytes (%d without its DAG); limit %d%n",
        jobBytes, runBytes, withoutDag, StoreLimits.DEFAULT.maxRecordBytes());
    assertThat(runBytes).isLessThan(StoreLimits.DEFAULT.maxRecordBytes());
    assertThat(runBytes - withoutDag)
        .as("the DAG costs at most the job's own size plus its resolved policies")
        .isLessThan(jobBytes + JobDefaults.MAX_TASKS * 160);
  }
}
