package dev.zkscheduler.zk;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.junit.jupiter.api.Test;

class ReadBatchesTest {

  @Test
  void underZooKeepersDefaultClientLimitEachRequestReadsOneZnode() {
    assertThat(ReadBatches.readsPerBatch(ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT))
        .isEqualTo(1);
    assertThat(ReadBatches.readsPerBatch(0)).isEqualTo(1);
  }

  @Test
  void theNodesClientLimitHoldsAFullBatchOfTheLargestZnodes() {
    int limit = ReadBatches.packetLimit(ReadBatches.clientConfig());

    assertThat(limit).isEqualTo(ReadBatches.BATCH_PACKET_BYTES);
    assertThat(ReadBatches.readsPerBatch(limit)).isEqualTo(ReadBatches.READS_PER_BATCH);
    assertThat((long) ReadBatches.READS_PER_BATCH * ReadBatches.MAX_ZNODE_BYTES).isLessThan(limit);
    assertThat(ReadBatches.readsPerBatch(Integer.MAX_VALUE)).isEqualTo(ReadBatches.READS_PER_BATCH);
  }

  @Test
  void aLargerLimitSetByTheOperatorIsKept() {
    String before = System.getProperty(ZKConfig.JUTE_MAXBUFFER);
    System.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(100 * 1024 * 1024));
    try {
      assertThat(ReadBatches.packetLimit(ReadBatches.clientConfig())).isEqualTo(100 * 1024 * 1024);
    } finally {
      if (before == null) {
        System.clearProperty(ZKConfig.JUTE_MAXBUFFER);
      } else {
        System.setProperty(ZKConfig.JUTE_MAXBUFFER, before);
      }
    }
  }
}
