package dev.zkscheduler.cluster.zk;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.cluster.AttemptReport;
import dev.zkscheduler.cluster.WorkerInfo;
import dev.zkscheduler.cluster.WorkerSeat;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.store.codec.ReportCodec;
import dev.zkscheduler.zk.FencingFloor;
import dev.zkscheduler.zk.WatchedTree;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as a worker on ZooKeeper. Each session registers a worker of its own, {@code
 * /workers/{memberId}~{sessionId}} (ephemeral), after creating its assignments parent {@code
 * /assign/{worker}}; a persistent watch on that parent ({@link WatchedTree}, which reads nothing
 * per assignment) tells the worker of every assignment the leader writes and takes back. A
 * reconnect within the session changes nothing; a new session is a new worker (the old one's
 * unreported attempts are the leader's to count lost), so nothing is re-created under the old name:
 * a {@code check} op compares only a version, and a node re-created under the same name by a new
 * session would pass for the old one.
 *
 * <p>An attempt's fencing token is the fencing floor this session read when it registered plus its
 * assignment's {@code czxid} ({@link FencingFloor}).
 *
 * <p>A report is {@code multi(check(own worker node), setData(assignment, version 0))}: written
 * only while this session lives and the leader has not taken the assignment back. Reports that wait
 * at the same moment share one such multi, behind one check ({@link GroupedReports}).
 *
 * <p>While registered, a heartbeat reads the worker node every {@link #heartbeat} and passes the
 * instant each successful read began to {@code contact}: the evidence behind the attempt lease.
 * Thread-safe. Listener calls run on one thread, in order.
 */
public final class ZkWorkerSeat implements WorkerSeat {

  private static final Logger log = LoggerFactory.getLogger(ZkWorkerSeat.class);

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final String memberId;
  private final LongConsumer contact;
  private final Duration heartbeat;
  private final Lifecycle lifecycle = new Lifecycle("ZkWorkerSeat");
  private final ConnectionStateListener sessions = this::onConnectionState;
  private final ExecutorService events =
      Executors.newSingleThreadExecutor(
          new ThreadFactoryBuilder()
              .setNameFormat("zk-scheduler-worker-events")
              .setDaemon(true)
              .build());
  private final ScheduledExecutorService beats =
      Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder()
              .setNameFormat("zk-scheduler-worker-heartbeat")
              .setDaemon(true)
              .build());

  /** How reports reach ZooKeeper, alone or together. */
  private final GroupedReports.Writes writes;

  /** Reports that wait together are written together (see {@link GroupedReports}). */
  private final GroupedReports reports;

  /** The writes behind {@link #report}, for tests of their shape on a real server. */
  GroupedReports.Writes writes() {
    return writes;
  }

  private volatile WorkerInfo self;
  private volatile long session;

  /** The fencing floor read when the current session registered; see {@link FencingFloor}. */
  private volatile long floor;

  private volatile WatchedTree cache;
  private volatile Listener listener;
  private volatile boolean draining;
  private int capacity;
  private Set<String> taskTypes;

  public ZkWorkerSeat(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      LongConsumer contact,
      Duration heartbeat) {
    this.client = client;
    this.layout = layout;
    this.memberId = memberId;
    this.contact = contact;
    this.heartbeat = heartbeat;
    this.writes = new ReportWrites(client, layout);
    this.reports = new GroupedReports(writes);
  }

  @Override
  public void open(int capacity, Set<String> taskTypes, Listener listener) throws Exception {
    lifecycle.start();
    this.capacity = capacity;
    this.taskTypes = Set.copyOf(taskTypes);
    this.listener = listener;
    synchronized (this) {
      register();
    }
    client.getConnectionStateListenable().addListener(sessions);
    beats.scheduleWithFixedDelay(this::beat, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Registers the worker of the current session, with a cache on its assignments. Workers of this
   * member's earlier sessions are removed first: such a session is over for this process (it
   * interrupted their attempts), and while the server has not expired it yet the leader would still
   * give it attempts that nobody runs.
   */
  private void register() throws Exception {
    long began = System.nanoTime();
    long current = client.getZookeeperClient().getZooKeeper().getSessionId();
    String name = memberId + Assignment.SEPARATOR + Long.toHexString(current);
    removeEarlierWorkers(name);
    WorkerInfo info = new WorkerInfo(name, memberId, capacity, taskTypes, draining);
    try {
      client.create().creatingParentsIfNeeded().forPath(layout.assignments(name), new byte[0]);
    } catch (KeeperException.NodeExistsException alreadyThere) {
      // A registration of this session that failed after creating it.
    }
    // Nothing is read per assignment: its name is the attempt, its creation (from the event) the
    // fencing token, and this worker wrote its report itself. Applied on the seat's event thread,
    // in order with the session's own events.
    WatchedTree assigned =
        new WatchedTree(
            client,
            layout.assignments(name),
            1,
            WatchedTree.Reads.NONE,
            false,
            events,
            new WatchedTree.Listener() {
              @Override
              public void created(WatchedTree.Leaf leaf) {
                onAssigned(name, leaf);
              }

              @Override
              public void changed(WatchedTree.Leaf before, WatchedTree.Leaf after) {}

              @Override
              public void deleted(WatchedTree.Leaf leaf) {
                onRevoked(name, leaf);
              }
            });
    try {
      client
          .create()
          .creatingParentContainersIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(layout.worker(name), WorkerRecords.encode(info));
    } catch (KeeperException.NodeExistsException sameSession) {
      // Created by an earlier attempt of this session: it is ours.
    }
    // Once per session, after the worker exists and before any assignment is seen: the floor is
    // raised only while no worker is registered and the raise looks again once it wrote, so either
    // this read sees the raised floor or the raise sees this worker (and says to restart it).
    this.floor = FencingFloor.read(client, layout);
    // The create answered within this session: fresh contact, so the new worker's first attempts
    // are not refused by a lease still counting from before the session began.
    contact.accept(began);
    // Current before the watch starts: an assignment told before would be dropped as not this
    // worker's, and a tree that reads nothing on events would never tell it again.
    this.cache = assigned;
    this.session = current;
    this.self = info;
    assigned.start();
    log.info(
        "worker {} registered: capacity {}, task types {}",
        name,
        capacity,
        new java.util.TreeSet<>(taskTypes));
  }

  private void onAssigned(String name, WatchedTree.Leaf leaf) {
    if (!isCurrent(name)) {
      return;
    }
    if (leaf.data().length > 0) {
      return; // reported already (read by a load after a reconnect)
    }
    Assignment assignment;
    try {
      assignment = Assignment.parse(name, leaf.name());
    } catch (IllegalArgumentException e) {
      log.warn("ignoring {}: {}", leaf.path(), e.getMessage());
      return;
    }
    // No creation time: the event that told the worker carries none, and the worker does not need
    // it (the leader times attempts from its own records).
    listener.assigned(
        new AssignedAttempt(assignment, FencingFloor.token(floor, leaf.created()), null, null));
  }

  private void onRevoked(String name, WatchedTree.Leaf leaf) {
    if (!isCurrent(name)) {
      return;
    }
    try {
      listener.revoked(Assignment.parse(name, leaf.name()));
    } catch (IllegalArgumentException ignored) {
      // Not an assignment: it was never started either.
    }
  }

  private boolean isCurrent(String name) {
    WorkerInfo current = self;
    return current != null && current.name().equals(name);
  }

  /** Package-private for tests, which tell it a late LOST. */
  void onConnectionState(CuratorFramework ignored, ConnectionState state) {
    if (!lifecycle.isStarted()) {
      return;
    }
    if (state == ConnectionState.LOST) {
      // At once, not behind assignment events: handlers must stop as soon as the session is over.
      loseSessionUnlessRegisteredAgain();
    } else if (state == ConnectionState.RECONNECTED || state == ConnectionState.CONNECTED) {
      events.execute(this::registerIfNewSession);
      // A heartbeat at once, not up to one interval later: after a disconnect longer than half
      // the session timeout the lease has lapsed, and every attempt started before the next beat
      // fails at once ("cancelled") and uses up one of its attempts. A round trip, as always, is
      // the only evidence the lease takes.
      try {
        beats.execute(this::beat);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // Closing: no more beats.
      }
    }
  }

  /**
   * A LOST: the session is over, unless it was told late, after the heartbeat had already
   * registered this worker with the session that followed the lost one, which is connected: its
   * attempts must go on. One step with registering (both hold this seat), so a registration under
   * way is either before the check or after the loss.
   */
  private synchronized void loseSessionUnlessRegisteredAgain() {
    if (registeredSessionIsConnected()) {
      log.info(
          "worker {}: a lost session reported after this one was registered; nothing stops",
          name());
      return;
    }
    loseSession();
  }

  /** Whether a worker is registered and the client is connected with that worker's session. */
  private boolean registeredSessionIsConnected() {
    if (self == null) {
      return false;
    }
    try {
      org.apache.zookeeper.ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
      return zk.getSessionId() == session && zk.getState().isConnected();
    } catch (Exception e) {
      return false;
    }
  }

  /** The session is over (or Curator gave it up): stop everything, report nothing. */
  private synchronized void loseSession() {
    WorkerInfo was = self;
    if (was == null) {
      return;
    }
    self = null;
    WatchedTree old = cache;
    cache = null;
    if (old != null) {
      old.close();
    }
    log.warn(
        "worker {} lost its ZooKeeper session: its attempts are stopped; the leader offers them"
            + " again",
        was.name());
    listener.sessionLost();
  }

  private synchronized void registerIfNewSession() {
    if (!lifecycle.isStarted()) {
      return;
    }
    try {
      long current = client.getZookeeperClient().getZooKeeper().getSessionId();
      if (self != null && current == session) {
        // The same session: its worker and assignments stand. Its node can only be missing if
        // someone deleted it; re-created by the same session it is still this worker's.
        if (client.checkExists().forPath(layout.worker(self.name())) == null) {
          client
              .create()
              .creatingParentContainersIfNeeded()
              .withMode(CreateMode.EPHEMERAL)
              .forPath(layout.worker(self.name()), WorkerRecords.encode(self));
          log.warn("worker {} found its node deleted and registered it again", self.name());
        }
        return;
      }
      loseSession();
      register();
    } catch (Exception e) {
      log.warn("worker {} could not register after reconnecting: {}", memberId, e.toString());
    }
  }

  private void beat() {
    WorkerInfo current = self;
    if (current == null) {
      if (lifecycle.isStarted() && client.getZookeeperClient().isConnected()) {
        events.execute(this::registerIfNewSession);
      }
      return;
    }
    long began = System.nanoTime();
    try {
      org.apache.zookeeper.data.Stat stat =
          client.checkExists().forPath(layout.worker(current.name()));
      long now = client.getZookeeperClient().getZooKeeper().getSessionId();
      if (stat != null && stat.getEphemeralOwner() == now && now == session) {
        contact.accept(began);
      } else {
        events.execute(this::registerIfNewSession);
      }
    } catch (Exception e) {
      log.debug("worker heartbeat failed: {}", e.toString());
    }
  }

  /** Deletes the worker nodes of this member's earlier sessions (ours to end: see register). */
  private void removeEarlierWorkers(String name) throws Exception {
    java.util.List<String> all;
    try {
      all = client.getChildren().forPath(layout.workers());
    } catch (KeeperException.NoNodeException none) {
      return;
    }
    for (String other : all) {
      if (!other.equals(name) && WorkerInfo.memberOf(other).equals(memberId)) {
        try {
          client.delete().forPath(layout.worker(other));
          log.info("worker {} of an earlier session of this member removed", other);
        } catch (KeeperException.NoNodeException gone) {
          // Expired meanwhile.
        }
        removeFolderIfEmpty(other);
      }
    }
  }

  /** The assignments folder of a worker that left, once the leader has settled all of it. */
  private void removeFolderIfEmpty(String worker) {
    try {
      client.delete().forPath(layout.assignments(worker));
    } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException notYet) {
      // Gone already, or the leader still has attempts of it to settle (it removes it then).
    } catch (Exception e) {
      log.debug("could not remove the assignments of {}: {}", worker, e.toString());
    }
  }

  @Override
  public String name() {
    WorkerInfo current = self;
    return current == null ? null : current.name();
  }

  @Override
  public boolean report(Assignment assignment, AttemptReport report) {
    if (!isCurrent(assignment.worker())) {
      return false;
    }
    return reports.write(new GroupedReports.Report(assignment, ReportCodec.encode(report)));
  }

  @Override
  public synchronized void drain() {
    draining = true;
    WorkerInfo current = self;
    if (current == null) {
      return;
    }
    WorkerInfo drained = new WorkerInfo(current.name(), memberId, capacity, taskTypes, true);
    try {
      client.setData().forPath(layout.worker(current.name()), WorkerRecords.encode(drained));
      self = drained;
      log.info("worker {} is draining: it takes no new attempts", current.name());
    } catch (Exception e) {
      log.warn("worker {} could not say it is draining: {}", current.name(), e.toString());
    }
  }

  @Override
  public void close() {
    if (lifecycle.close() != Lifecycle.State.STARTED) {
      events.shutdownNow();
      beats.shutdownNow();
      return;
    }
    client.getConnectionStateListenable().removeListener(sessions);
    beats.shutdownNow();
    WorkerInfo current;
    synchronized (this) {
      current = self;
      self = null;
      if (cache != null) {
        cache.close();
        cache = null;
      }
    }
    events.shutdown();
    if (current != null) {
      try {
        client.delete().forPath(layout.worker(current.name()));
        log.info("worker {} left", current.name());
      } catch (KeeperException.NoNodeException gone) {
        // Gone with the session.
      } catch (Exception e) {
        log.warn("worker {} could not leave: {}", current.name(), e.toString());
      }
      removeFolderIfEmpty(current.name());
    }
  }
}
