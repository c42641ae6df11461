package dev.zkscheduler.bench;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.store.codec.JobCodec;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.curator.framework.CuratorFramework;

/**
 * Many job definitions: how long a leader takes to take over (term, read, plan, first fire), the
 * heap it then holds, the znodes and bytes in ZooKeeper, and the latency of a page of the job list.
 * The jobs fire hourly, their anchors spread over the hour, so some are due every second.
 */
final class Scale {

  record Result(
      int jobs,
      long termMillis,
      long firstFireMillis,
      long heapBytes,
      long znodes,
      long definitionBytes,
      Stats pageMillis,
      long takeoverMillis) {}

  private Scale() {}

  static Result measure(String connectString, String namespace, int jobs) throws Exception {
    // Anchors spread over the coming hour from now: the ones passed while the leader takes over
    // are due at once, so the first fire marks the end of the takeover.
    Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<JobDefinition> definitions = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < jobs; i++) {
      JobDefinition job =
          JobDefinition.builder(String.format(Locale.ROOT, "scale-%06d", i))
              .schedule(
                  Schedule.interval(Duration.ofHours(1), base.plusMillis(i * 3_600_000L / jobs)))
              .task("t", "bench")
              .build();
      definitions.add(job);
      bytes += JobCodec.encode(job).length;
    }
    BulkJobs.write(connectString, namespace, definitions);
    definitions.clear();
    System.gc();
    long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();

    Fires fires = new Fires();
    long t0 = System.currentTimeMillis();
    try (Scheduler scheduler = Firing.scheduler(connectString, namespace, "scale-1", fires)) {
      Bench.await(Duration.ofSeconds(300), scheduler::isLeader);
      long term = System.currentTimeMillis() - t0;
      Bench.await(Duration.ofSeconds(600), () -> fires.size() > 0);
      long first = fires.snapshot().get(0).startMillis() - t0;
      System.gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() - heapBefore;

      Stats pages = new Stats();
      String after = null;
      for (int i = 0; i < 20; i++) {
        long p0 = System.nanoTime();
        after = scheduler.jobs(after, 100).next();
        pages.add((System.nanoTime() - p0) / 1_000_000);
      }
      long znodes;
      try (CuratorFramework client = Ensemble.client(connectString, null)) {
        znodes = client.getZookeeperClient().getZooKeeper().getAllChildrenNumber("/" + namespace);
      }
      long takeover = takeover(connectString, namespace, scheduler, fires);
      return new Result(jobs, term, first, heap, znodes, bytes, pages, takeover);
    }
  }

  /**
   * The second node's first fire for a nominal instant at or after {@code sinceMillis}: members
   * execute, so attempts the first node assigned to the second before it closed start there after
   * the close, and counting those (as this bench did until members executed) measured nothing of
   * the takeover. The first node fires nothing once its close returned.
   */
  private static Fires.Fire firstOfNextTerm(Fires fires, long sinceMillis) {
    for (Fires.Fire f : fires.snapshot()) {
      if (f.member().equals("scale-2")
          && f.startMillis() >= sinceMillis
          && f.nominalMillis() >= sinceMillis) {
        return f;
      }
    }
    return null;
  }

  /**
   * A second node, started and settled as a follower, takes over when the first leaves: the time
   * from the first node's {@code close()} to the second's first fire — its term, its read of every
   * definition and schedule state, its plan, its first fire.
   */
  private static long takeover(
      String connectString, String namespace, Scheduler leader, Fires fires) throws Exception {
    try (Scheduler next = Firing.scheduler(connectString, namespace, "scale-2", fires)) {
      // Long enough for its definition watch to have loaded 100,000 jobs (about 20 s on the 2-core
      // bench machine): a follower that has run a while. One that has not waits for the load.
      Bench.sleepUntil(Instant.now().plusSeconds(40));
      long t0 = System.currentTimeMillis();
      leader.close();
      // The closing node leads, and fires, until it has drained its worker and left.
      long closed = System.currentTimeMillis();
      Bench.await(Duration.ofSeconds(600), () -> firstOfNextTerm(fires, closed) != null);
      return firstOfNextTerm(fires, closed).startMillis() - t0;
    }
  }
}
