package dev.zkscheduler.cluster.zk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.cluster.WorkerInfo;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The data of a worker's znode: {@code {"v":1,"memberId","capacity","taskTypes":[...],"draining"}}.
 */
final class WorkerRecords {

  private static final ObjectMapper JSON = new ObjectMapper();

  private WorkerRecords() {}

  static byte[] encode(WorkerInfo worker) {
    ObjectNode node = JSON.createObjectNode();
    node.put("v", 1);
    node.put("memberId", worker.memberId());
    node.put("capacity", worker.capacity());
    node.putArray("taskTypes")
        .addAll(new TreeSet<>(worker.taskTypes()).stream().map(node::textNode).toList());
    node.put("draining", worker.draining());
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The worker {@code name} advertises; one whose data cannot be read takes no work. */
  static WorkerInfo decode(String name, byte[] data) {
    try {
      JsonNode node = JSON.readTree(data);
      Set<String> types = new TreeSet<>();
      node.path("taskTypes").forEach(t -> types.add(t.asText()));
      return new WorkerInfo(
          name,
          node.path("memberId").asText(WorkerInfo.memberOf(name)),
          node.path("capacity").asInt(0),
          types,
          node.path("draining").asBoolean(false));
    } catch (IOException | RuntimeException e) {
      return new WorkerInfo(name, WorkerInfo.memberOf(name), 0, Set.of(), true);
    }
  }
}
