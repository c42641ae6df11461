package dev.zkscheduler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkerInfoTest {

  @Test
  void aWorkerNameIsItsMemberIdAndSession() {
    assertThat(WorkerInfo.memberOf("node-2~20001cf15bc0000")).isEqualTo("node-2");
    assertThat(WorkerInfo.memberOf("a~b~1f")).isEqualTo("a~b");
  }

  @Test
  void aMemberIdWithoutASessionIsItself() {
    // Runs recorded before workers had sessions name the member alone; a member id may hold '~'.
    assertThat(WorkerInfo.memberOf("laptop-8080")).isEqualTo("laptop-8080");
    assertThat(WorkerInfo.memberOf("team~blue")).isEqualTo("team~blue");
    assertThat(WorkerInfo.memberOf("trailing~")).isEqualTo("trailing~");
    assertThat(WorkerInfo.memberOf("~1f")).isEqualTo("~1f");
  }
}
