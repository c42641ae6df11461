package dev.zkscheduler.cluster.zk;

import dev.zkscheduler.zk.ZkLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The live nodes that may lead a namespace, as ZooKeeper lists them: the claims of nodes that lead
 * without an election ({@link ZkLayout#soloRoot()}) and the participants of the leader election
 * ({@link ZkLayout#latch()}). Both are ephemeral, so a node whose session is gone is not listed. A
 * node reads them before it leads, so that the two ways of leading never share a namespace and at
 * most one node leads without an election ({@link SoloLeadership}, {@link LeaderElection}).
 */
final class Claimants {

  private Claimants() {}

  /**
   * One claim of a node leading without an election, named {@code {memberId}-{sequence}}. The
   * sequence comes from the parent's counter, so it orders claims by creation across members.
   */
  record SoloClaim(String memberId, long sequence, String path) {}

  /** The live solo claims, oldest first. */
  static List<SoloClaim> soloClaims(CuratorFramework client, ZkLayout layout) throws Exception {
    List<String> names;
    try {
      names = client.getChildren().forPath(layout.soloRoot());
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
    List<SoloClaim> claims = new ArrayList<>();
    for (String name : names) {
      // A member id may contain '-'; the sequence after the last one never does.
      int dash = name.lastIndexOf('-');
      if (dash <= 0) {
        continue;
      }
      try {
        long sequence = Long.parseLong(name.substring(dash + 1));
        claims.add(
            new SoloClaim(name.substring(0, dash), sequence, layout.soloRoot() + "/" + name));
      } catch (NumberFormatException notAClaim) {
        // Nothing else is created here; skip rather than fail on it.
      }
    }
    claims.sort(Comparator.comparingLong(SoloClaim::sequence));
    return claims;
  }

  /** The member ids of the live leader-election participants (a latch node's data is its id). */
  static List<String> latchParticipants(CuratorFramework client, ZkLayout layout) throws Exception {
    List<String> names;
    try {
      names = client.getChildren().forPath(layout.latch());
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    for (String name : names) {
      try {
        byte[] data = client.getData().forPath(layout.latch() + "/" + name);
        String id = data == null ? "" : new String(data, StandardCharsets.UTF_8);
        ids.add(id.isEmpty() ? "(unnamed participant " + name + ")" : id);
      } catch (KeeperException.NoNodeException left) {
        // Left between the two reads: not live any more.
      }
    }
    return ids.stream().distinct().sorted().toList();
  }

  /** How messages name the client's namespace: every path above is relative to it. */
  static String namespace(CuratorFramework client) {
    String namespace = client.getNamespace();
    return namespace == null || namespace.isEmpty() ? "(root)" : "'" + namespace + "'";
  }
}
