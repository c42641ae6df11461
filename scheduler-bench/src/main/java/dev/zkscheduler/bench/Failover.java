package dev.zkscheduler.bench;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.schedule.Schedule;
import dev.zkscheduler.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;

/**
 * Failover under steady load: three schedulers, each reaching every server through proxies of its
 * own. A crash is the leader going silent (its proxies blackholed: ZooKeeper expires its session as
 * for {@code kill -9}); a graceful handover is {@code close()}. Both are timed to the first fire
 * started by another node.
 */
final class Failover {

  /**
   * Times from the fault: to the first fire by another node, and (crash) to the moment ZooKeeper
   * expired the silenced leader's session, as another client saw its latch node go.
   */
  record Result(long crashMillis, long expiredMillis, long gracefulMillis) {}

  private Failover() {}

  static Result measure(Ensemble ensemble, String namespace, int jobs) throws Exception {
    Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    List<JobDefinition> definitions = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      definitions.add(
          JobDefinition.builder(String.format(Locale.ROOT, "fo-%06d", i))
              .schedule(Schedule.interval(Duration.ofSeconds(1), base.plusMillis(i * 1000L / jobs)))
              .task("t", "bench")
              .build());
    }
    BulkJobs.write(ensemble.connectString(), namespace, definitions);
    Fires fires = new Fires();
    List<List<TcpProxy>> proxies = new ArrayList<>();
    List<Scheduler> nodes = new ArrayList<>();
    try {
      for (int n = 1; n <= 3; n++) {
        List<TcpProxy> own = new ArrayList<>();
        for (int port : ensemble.ports()) {
          own.add(new TcpProxy(port));
        }
        proxies.add(own);
        String connect = own.stream().map(TcpProxy::connectString).collect(Collectors.joining(","));
        nodes.add(Firing.scheduler(connect, namespace, "fo-" + n, fires));
      }
      int leader = awaitLeader(nodes);
      Bench.sleepUntil(Instant.now().plusSeconds(5)); // steady load before the fault

      long expired;
      long crash;
      String crashed = "fo-" + (leader + 1);
      try (CuratorFramework observer = Ensemble.client(ensemble.connectString(), namespace)) {
        int members = observer.getChildren().forPath(LATCH).size();
        long t0 = System.currentTimeMillis();
        proxies.get(leader).forEach(TcpProxy::blackhole);
        expired = awaitLatchNodes(observer, members - 1) - t0;
        Bench.await(Duration.ofSeconds(60), () -> firstByOther(fires, crashed, t0) != null);
        crash = firstByOther(fires, crashed, t0).startMillis() - t0;
      }
      nodes.get(leader).close();

      List<Scheduler> alive = new ArrayList<>(nodes);
      alive.remove(leader);
      int next = awaitLeader(alive);
      String handingOver = "fo-" + (nodes.indexOf(alive.get(next)) + 1);
      Bench.sleepUntil(Instant.now().plusSeconds(3));
      long t1 = System.currentTimeMillis();
      alive.get(next).close();
      // A closing leader fires, and assigns to the others, until it has drained its worker and
      // left: only an instant due after its close returned is surely the next leader's fire.
      long closed = System.currentTimeMillis();
      Bench.await(Duration.ofSeconds(60), () -> firstByOther(fires, handingOver, closed) != null);
      long graceful = firstByOther(fires, handingOver, closed).startMillis() - t1;
      return new Result(crash, expired, graceful);
    } finally {
      for (Scheduler node : nodes) {
        node.close();
      }
      proxies.forEach(list -> list.forEach(TcpProxy::close));
    }
  }

  private static final String LATCH = "/leader/latch";

  /** Polls every 5 ms until the latch holds {@code count} nodes; the instant it saw that. */
  private static long awaitLatchNodes(CuratorFramework observer, int count) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (observer.getChildren().forPath(LATCH).size() <= count) {
        return System.currentTimeMillis();
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("the silenced leader's session never expired");
  }

  private static int awaitLeader(List<Scheduler> nodes) {
    Bench.await(Duration.ofSeconds(60), () -> nodes.stream().anyMatch(Scheduler::isLeader));
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).isLeader()) {
        return i;
      }
    }
    throw new IllegalStateException("no leader");
  }

  /**
   * The first fire the next leader made: started on another member, for a nominal instant at or
   * after {@code sinceMillis}. The nominal instant matters since members execute: attempts the old
   * leader assigned before the fault still start on the other members after it, within
   * milliseconds, and counting those measured nothing of the failover; the old leader, cut off at
   * {@code sinceMillis} or closed by then, fired no instant from then on.
   */
  private static Fires.Fire firstByOther(Fires fires, String member, long sinceMillis) {
    for (Fires.Fire f : fires.snapshot()) {
      if (!f.member().equals(member)
          && f.startMillis() >= sinceMillis
          && f.nominalMillis() >= sinceMillis) {
        return f;
      }
    }
    return null;
  }
}
