package dev.zkscheduler.zk;

import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;

/**
 * How many znodes one ZooKeeper request may read, and the client setting that allows it.
 *
 * <p>Bulk reads (a new leader's read of every schedule state, the definitions when the watch is
 * behind) go as multi-reads: one request and one response for up to {@link #READS_PER_BATCH}
 * znodes. Reading them one request each costs the client and the server a packet, a system call and
 * a thread hand-off per znode, which bounds a pipelined read to about 13,000 znodes/s on a 2-core
 * machine; batches of 32 to 200 read 100,000 small znodes in 0.15–1 s (see {@code
 * docs/performance.md}).
 *
 * <p>A response must fit the client's packet limit ({@code jute.maxbuffer} of its {@link
 * ZKClientConfig}, 1 MiB by default): a larger one makes the client drop its connection, which ends
 * the leader's term. A batch's response is not known before it comes, so it is sized for the worst
 * case: every znode as large as ZooKeeper's default {@code jute.maxbuffer} allows. Nodes build
 * their client with {@link #clientConfig()}, which raises the client's limit to hold a full batch
 * of such znodes; any other client reads {@link #readsPerBatch(int) fewer per request} (one under
 * the default limit).
 */
public final class ReadBatches {

  /** The most znodes one request reads. */
  public static final int READS_PER_BATCH = 32;

  /** About how many znodes a bulk read keeps in flight. */
  static final int ZNODES_IN_FLIGHT = 256;

  /**
   * The largest znode assumed: ZooKeeper's default {@code jute.maxbuffer} (a request larger than
   * it, and so a znode's data, is refused by a server that keeps the default).
   */
  static final int MAX_ZNODE_BYTES = 1024 * 1024;

  /** What one read adds to its znode's data in a multi's response: header, stat, lengths. */
  static final int PER_READ_OVERHEAD = 1024;

  /** The response's own framing, with room to spare. */
  static final int RESPONSE_OVERHEAD = 64 * 1024;

  /** The client packet limit a full batch of the largest znodes needs: about 32 MiB. */
  public static final int BATCH_PACKET_BYTES =
      RESPONSE_OVERHEAD + READS_PER_BATCH * (MAX_ZNODE_BYTES + PER_READ_OVERHEAD);

  private ReadBatches() {}

  /**
   * A client configuration (from the JVM's system properties, like ZooKeeper's own default) whose
   * packet limit holds a full batch; a larger limit set by the operator is kept.
   */
  public static ZKClientConfig clientConfig() {
    ZKClientConfig config = new ZKClientConfig();
    if (packetLimit(config) < BATCH_PACKET_BYTES) {
      config.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(BATCH_PACKET_BYTES));
    }
    return config;
  }

  /** The most bytes a response to a client with {@code config} may take. */
  public static int packetLimit(ZKClientConfig config) {
    return config.getInt(ZKConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
  }

  /**
   * How many multi-reads of {@code perBatch} a bulk read keeps in flight: about 256 znodes (8
   * batches of 32), so that a client reading one znode per request keeps as many in flight as
   * before batching.
   */
  public static int batchesInFlight(int perBatch) {
    return Math.max(8, ZNODES_IN_FLIGHT / Math.max(1, perBatch));
  }

  /**
   * How many znodes one request may read when responses may take {@code packetLimit} bytes: at
   * least 1 (a single read is what any client does), at most {@link #READS_PER_BATCH}.
   */
  public static int readsPerBatch(int packetLimit) {
    int fit = (packetLimit - RESPONSE_OVERHEAD) / (MAX_ZNODE_BYTES + PER_READ_OVERHEAD);
    return Math.max(1, Math.min(READS_PER_BATCH, fit));
  }
}
