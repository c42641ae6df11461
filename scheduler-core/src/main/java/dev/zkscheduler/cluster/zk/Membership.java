package dev.zkscheduler.cluster.zk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.base.Preconditions;
import dev.zkscheduler.cluster.Member;
import dev.zkscheduler.error.MemberIdInUseException;
import dev.zkscheduler.lifecycle.Lifecycle;
import dev.zkscheduler.zk.ZkLayout;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's ephemeral registration under {@code /members/{id}} (id, address, version, start
 * time), and the list of live members. A second live node with the same id is refused at start;
 * after a session loss the registration is re-created on reconnect.
 *
 * <p>Thread-safe. Lifecycle: {@link #start()} once, or it throws {@link IllegalStateException},
 * also after close; {@link #close()} is idempotent, harmless before start, and never throws.
 */
public final class Membership implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(Membership.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final Member self;
  private final Lifecycle lifecycle = new Lifecycle("Membership");
  private final ConnectionStateListener reRegister = this::onConnectionState;

  public Membership(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      String address,
      String version,
      Clock clock) {
    this(client, layout, memberId, address, version, clock, null);
  }

  public Membership(
      CuratorFramework client,
      ZkLayout layout,
      String memberId,
      String address,
      String version,
      Clock clock,
      String roles) {
    this.client = Preconditions.checkNotNull(client, "client");
    this.layout = Preconditions.checkNotNull(layout, "layout");
    this.self = new Member(memberId, address, version, clock.instant(), roles);
  }

  /**
   * Registers this node.
   *
   * @throws MemberIdInUseException if a live node with another session holds the id
   * @throws IllegalStateException if started twice or after close
   */
  public void start() throws Exception {
    lifecycle.start();
    register();
    client.getConnectionStateListenable().addListener(reRegister);
  }

  private void register() throws Exception {
    String path = layout.member(self.id());
    try {
      client
          .create()
          .creatingParentContainersIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(path, encode(self));
      log.info("registered member {} at {}", self.id(), self.address());
    } catch (KeeperException.NodeExistsException e) {
      Stat stat = new Stat();
      byte[] data = client.getData().storingStatIn(stat).forPath(path);
      long ours = client.getZookeeperClient().getZooKeeper().getSessionId();
      if (stat.getEphemeralOwner() != ours) {
        throw new MemberIdInUseException(self.id(), decode(self.id(), data).address());
      }
    }
  }

  private void onConnectionState(CuratorFramework ignored, ConnectionState state) {
    if (state == ConnectionState.RECONNECTED && lifecycle.isStarted()) {
      try {
        register();
      } catch (MemberIdInUseException e) {
        log.error("after reconnecting, {}", e.getMessage());
      } catch (Exception e) {
        log.warn("could not re-register member {}: {}", self.id(), e.toString());
      }
    }
  }

  public Member self() {
    return self;
  }

  /** Live members, ordered by id. */
  public List<Member> members() throws Exception {
    List<Member> members = new ArrayList<>();
    List<String> ids;
    try {
      ids = client.getChildren().forPath(layout.members());
    } catch (KeeperException.NoNodeException e) {
      return members;
    }
    for (String id : ids.stream().sorted().toList()) {
      try {
        members.add(decode(id, client.getData().forPath(layout.member(id))));
      } catch (KeeperException.NoNodeException gone) {
        // Left between the two reads.
      }
    }
    return members;
  }

  private static byte[] encode(Member member) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("v", 1);
    node.put("id", member.id());
    node.put("address", member.address());
    node.put("version", member.version());
    node.put("since", member.since().toString());
    if (member.roles() != null) {
      node.put("roles", member.roles());
    }
    return JSON.writeValueAsBytes(node);
  }

  private static Member decode(String id, byte[] data) {
    try {
      JsonNode node = JSON.readTree(data);
      return new Member(
          id,
          node.path("address").asText(null),
          node.path("version").asText(null),
          node.hasNonNull("since") ? Instant.parse(node.get("since").asText()) : null,
          node.path("roles").asText(null));
    } catch (IOException | RuntimeException e) {
      return new Member(id, null, null, null);
    }
  }

  @Override
  public void close() {
    if (lifecycle.close() != Lifecycle.State.STARTED) {
      return;
    }
    client.getConnectionStateListenable().removeListener(reRegister);
    String path = layout.member(self.id());
    try {
      // Only our own registration: after a refused start, or a reconnect that found the id taken,
      // the node at this path is another live member's and must stay.
      Stat stat = client.checkExists().forPath(path);
      long ours = client.getZookeeperClient().getZooKeeper().getSessionId();
      if (stat != null && stat.getEphemeralOwner() == ours) {
        client.delete().withVersion(stat.getVersion()).forPath(path);
      }
    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException ignored) {
      // Already gone with the session (or replaced by another member's).
    } catch (Exception e) {
      log.warn("could not unregister member {}: {}", self.id(), e.toString());
    }
  }
}
