package dev.zkscheduler.store.zk;

import dev.zkscheduler.cluster.LeaderTerm;
import dev.zkscheduler.store.StoreOp;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;

/**
 * Which runs parents (one per job, holding its runs) exist, so that creating runs costs no extra
 * round trip per job: checking each parent before every commit of fires was one synchronous
 * ZooKeeper write per job per commit, the engine's first bottleneck (found by scheduler-bench).
 * What is known holds for one term, and is forgotten after a commit that failed for another reason
 * than a run that existed. Thread-safe.
 */
final class RunParents {

  private static final long NOT_CHECKED = Long.MIN_VALUE;

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final PipelinedReader reader;

  /** Runs parents known to exist. */
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  /**
   * Runs parents of jobs whose schedule state this store created in the current term: new jobs,
   * whose parent is created without checking first (a burst of 10,000 new jobs spent 0.6 s on reads
   * that could only say "missing").
   */
  private final Set<String> ofNewJobs = ConcurrentHashMap.newKeySet();

  /** The epoch of the term in which {@link #known} was last valid. */
  private volatile long knownInTerm = NOT_CHECKED;

  RunParents(CuratorFramework client, ZkLayout layout, PipelinedReader reader) {
    this.client = client;
    this.layout = layout;
    this.reader = reader;
  }

  /** What this store knows of runs parents holds for one term only. */
  void forgetEarlierTerms(LeaderTerm term) {
    if (knownInTerm != term.epoch()) {
      known.clear();
      ofNewJobs.clear();
      knownInTerm = term.epoch();
    }
  }

  /** A parent this node thought was there may be gone (removed with its job): check again. */
  void forgetAll() {
    knownInTerm = NOT_CHECKED;
  }

  /**
   * Makes sure the runs parents of a commit exist. A new leader creating its first fires used to
   * create each job's parent with one synchronous write: 1,000 jobs took seconds of a failover
   * (found by scheduler-bench's failover figure). Now the unknown parents are checked with
   * pipelined reads and the missing ones created with pipelined requests: a round trip or two for
   * all. ({@code /runs} itself is not listed: with one child per job it outgrows a ZooKeeper
   * response at ~100,000 jobs.)
   */
  void ensure(Set<String> parents) throws Exception {
    if (parents.isEmpty()) {
      return;
    }
    List<String> unknown = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String parent : parents) {
      if (ofNewJobs.remove(parent)) {
        missing.add(parent); // a job this term created: its parent is most likely missing
      } else if (!known.contains(parent)) {
        unknown.add(parent);
      }
    }
    if (!unknown.isEmpty()) {
      Map<String, Boolean> exists =
          reader.pipelined(
              unknown,
              (path, callback) -> client.checkExists().inBackground(callback).forPath(path),
              event -> Boolean.TRUE,
              Boolean.FALSE);
      for (String parent : unknown) {
        if (Boolean.TRUE.equals(exists.get(parent))) {
          known.add(parent);
        } else {
          missing.add(parent);
        }
      }
    }
    if (!missing.isEmpty()) {
      // Created (or found created: NODEEXISTS) parents come back in the map; only those are known.
      known.addAll(
          reader
              .pipelined(
                  missing,
                  (path, callback) -> client.create().inBackground(callback).forPath(path),
                  CuratorEvent::getPath,
                  null)
              .keySet());
    }
  }

  /** Notes what a committed batch did to runs parents: new jobs will need one, removed ones not. */
  void committed(List<StoreOp> ops) {
    for (StoreOp op : ops) {
      if (op instanceof StoreOp.PutScheduleState put && put.expectedVersion() == StoreOp.CREATE) {
        String parent = layout.runs(put.state().jobId());
        if (!known.contains(parent)) {
          ofNewJobs.add(parent);
        }
      }
      if (op instanceof StoreOp.DeleteScheduleState deleted) {
        known.remove(layout.runs(deleted.jobId()));
        removeIfEmpty(deleted.jobId());
      }
    }
  }

  private void removeIfEmpty(String jobId) {
    try {
      client.delete().forPath(layout.runs(jobId));
    } catch (Exception notEmptyOrGone) {
      // Runs remain (the leader prunes them) or it is already gone: both fine.
    }
  }
}
