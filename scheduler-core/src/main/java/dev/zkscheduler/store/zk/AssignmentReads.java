package dev.zkscheduler.store.zk;

import dev.zkscheduler.cluster.AssignedAttempt;
import dev.zkscheduler.cluster.Assignment;
import dev.zkscheduler.store.codec.CodecException;
import dev.zkscheduler.store.codec.ReportCodec;
import dev.zkscheduler.zk.FencingFloor;
import dev.zkscheduler.zk.ZkLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every assignment under {@code /assign} with pipelined requests: a new leader's picture of
 * the attempts in flight. The fencing token of an assignment is the fencing floor plus its znode's
 * {@code czxid} ({@link FencingFloor}), larger for every znode created later, and its assignment
 * time the znode's {@code ctime}. Thread-safe.
 */
final class AssignmentReads {

  private static final Logger log = LoggerFactory.getLogger(AssignmentReads.class);

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final PipelinedReader reader;

  AssignmentReads(CuratorFramework client, ZkLayout layout, PipelinedReader reader) {
    this.client = client;
    this.layout = layout;
    this.reader = reader;
  }

  List<AssignedAttempt> all() throws Exception {
    List<String> workers;
    try {
      workers = client.getChildren().forPath(layout.assignRoot());
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
    long floor = FencingFloor.read(client, layout);
    List<String> parents = workers.stream().map(layout::assignments).toList();
    Map<String, List<String>> keysByParent =
        reader.pipelined(
            parents,
            (path, callback) -> client.getChildren().inBackground(callback).forPath(path),
            CuratorEvent::getChildren,
            List.of());
    List<String> paths = new ArrayList<>();
    List<Assignment> assignments = new ArrayList<>();
    for (String worker : workers) {
      for (String key : keysByParent.getOrDefault(layout.assignments(worker), List.of())) {
        try {
          assignments.add(Assignment.parse(worker, key));
          paths.add(layout.assignment(worker, key));
        } catch (IllegalArgumentException e) {
          log.warn("ignoring {}: {}", layout.assignment(worker, key), e.getMessage());
        }
      }
    }
    Map<String, PipelinedReader.Node> read = reader.readNodes(paths);
    List<AssignedAttempt> all = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      PipelinedReader.Node node = read.get(paths.get(i));
      if (node == null) {
        continue; // taken back between the listing and the read
      }
      Instant assignedAt = Instant.ofEpochMilli(node.stat().getCtime());
      all.add(
          new AssignedAttempt(
              assignments.get(i),
              FencingFloor.token(floor, node.stat().getCzxid()),
              assignedAt,
              report(paths.get(i), node.data(), assignedAt)));
    }
    return all;
  }

  private static dev.zkscheduler.cluster.AttemptReport report(
      String path, byte[] data, Instant assignedAt) {
    try {
      return ReportCodec.decode(data);
    } catch (CodecException e) {
      // A report this node cannot read is a failure report: the attempt did end.
      log.warn("the report in {} is unreadable: {}", path, e.getMessage());
      // Its ending time is not known: the assignment's own time stands in for it.
      return dev.zkscheduler.cluster.AttemptReport.failure(
          "its worker's report could not be read: " + e.getMessage(), assignedAt, false);
    }
  }
}
