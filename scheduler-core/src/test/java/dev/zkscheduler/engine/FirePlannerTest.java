package dev.zkscheduler.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.zkscheduler.dag.RunTrigger;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.metrics.MetricNames;
import dev.zkscheduler.schedule.MisfirePolicy;
import dev.zkscheduler.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the leader's planner fires, driven alone on a term's state: a job's own misfire threshold
 * replaces the node's (60 s, {@link EngineSettings#DEFAULT}) for that job only, both for what is
 * missed and for which fires are labelled on time.
 */
class FirePlannerTest {

  private static final Instant T0 = TermFixture.T0;
  private static final Instant FIRST = T0.plusSeconds(60);

  private final TermFixture f = new TermFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static JobDefinition everyMinute(String id, MisfirePolicy policy, Duration threshold) {
    return JobDefinition.builder(id)
        .schedule(Schedule.interval(Duration.ofMinutes(1), T0))
        .misfirePolicy(policy)
        .misfireThreshold(threshold)
        .task("t", "record")
        .build();
  }

  /** The fires planned at {@code now}, by job id. */
  private Map<String, List<FirePlanner.Fire>> dueAt(Instant now) {
    f.clock.set(now);
    Map<String, List<FirePlanner.Fire>> byJob = new LinkedHashMap<>();
    for (FirePlanner.DueJob due : f.state.planner().due(now, f.state.jobs())) {
      byJob.put(due.entry().job.id(), due.plan());
    }
    return byJob;
  }

  private long skipped() {
    return f.registry.counter(MetricNames.MISFIRES_SKIPPED).getCount();
  }

  @Test
  void aShortJobThresholdMakesAFire20SecondsLateAMisfireWhileTheNodesFiresItOnTime() {
    f.load(
        everyMinute("short-skip", MisfirePolicy.SKIP, Duration.ofSeconds(5)),
        everyMinute("short-once", MisfirePolicy.FIRE_ONCE, Duration.ofSeconds(5)),
        everyMinute("node-skip", MisfirePolicy.SKIP, null));

    Map<String, List<FirePlanner.Fire>> due = dueAt(FIRST.plusSeconds(20));

    assertThat(due).containsOnlyKeys("short-skip", "short-once", "node-skip");
    assertThat(due.get("short-skip")).as("missed under its 5 s, so SKIP drops it").isEmpty();
    assertThat(due.get("short-once"))
        .as("missed under its 5 s: FIRE_ONCE runs it as a catch-up")
        .containsExactly(new FirePlanner.Fire(RunIds.scheduled(FIRST), FIRST, RunTrigger.CATCH_UP));
    assertThat(due.get("node-skip"))
        .as("on time under the node's 60 s")
        .containsExactly(new FirePlanner.Fire(RunIds.scheduled(FIRST), FIRST, RunTrigger.SCHEDULE));
    assertThat(skipped()).isEqualTo(1);
  }

  @Test
  void aLongJobThresholdFiresOnTimeWhatTheNodesWouldSkip() {
    f.load(
        everyMinute("long-skip", MisfirePolicy.SKIP, Duration.ofMinutes(10)),
        everyMinute("node-skip", MisfirePolicy.SKIP, null));

    // 14:01 … 14:04 are due at 14:04; the first two are more than the node's 60 s late.
    Map<String, List<FirePlanner.Fire>> due = dueAt(FIRST.plus(Duration.ofMinutes(3)));

    assertThat(due.get("long-skip"))
        .as("all within its 10 min")
        .extracting(FirePlanner.Fire::nominal, FirePlanner.Fire::trigger)
        .containsExactly(
            tuple(FIRST, RunTrigger.SCHEDULE),
            tuple(FIRST.plusSeconds(60), RunTrigger.SCHEDULE),
            tuple(FIRST.plusSeconds(120), RunTrigger.SCHEDULE),
            tuple(FIRST.plusSeconds(180), RunTrigger.SCHEDULE));
    assertThat(due.get("node-skip"))
        .as("14:01 and 14:02 missed under the node's 60 s")
        .extracting(FirePlanner.Fire::nominal)
        .containsExactly(FIRST.plusSeconds(120), FIRST.plusSeconds(180));
    assertThat(skipped()).isEqualTo(2);
  }

  /**
   * A capped plan takes the oldest due jobs until it has the fires it may write; the rest stay
   * queued, oldest first, for the next call, and none is lost or taken twice.
   */
  @Test
  void aCappedPlanTakesTheOldestDueJobsAndLeavesTheRestForTheNextCall() {
    List<JobDefinition> jobs = new java.util.ArrayList<>();
    for (int i = 1; i <= 5; i++) { // job i's first fire: T0 + i s
      jobs.add(
          JobDefinition.builder("j" + i)
              .schedule(Schedule.interval(Duration.ofMinutes(1), T0.plusSeconds(i)))
              .task("t", "record")
              .build());
    }
    f.load(jobs.toArray(JobDefinition[]::new));
    FirePlanner planner = f.state.planner();
    FirePlanner.PerJob direct =
        (jobId, doing, work) -> {
          work.run();
          return true;
        };
    Instant now = T0.plusSeconds(10);

    List<FirePlanner.DueJob> first = planner.due(now, f.state.jobs(), direct, 2);

    assertThat(first).extracting(d -> d.entry().job.id()).containsExactly("j1", "j2");
    assertThat(planner.oldestDue(now)).isEqualTo(T0.plusSeconds(3));
    assertThat(planner.due(now, f.state.jobs(), direct, 2))
        .extracting(d -> d.entry().job.id())
        .containsExactly("j3", "j4");
    assertThat(planner.due(now, f.state.jobs(), direct, 2))
        .extracting(d -> d.entry().job.id())
        .containsExactly("j5");
    assertThat(planner.oldestDue(now)).isNull();
  }
}
