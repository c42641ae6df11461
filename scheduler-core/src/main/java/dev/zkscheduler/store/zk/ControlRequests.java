package dev.zkscheduler.store.zk;

import dev.zkscheduler.error.TooManyRequestsException;
import dev.zkscheduler.store.ControlRequest;
import dev.zkscheduler.store.StoreLimits;
import dev.zkscheduler.store.codec.RequestCodec;
import dev.zkscheduler.zk.ZkLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Control requests: any node submits one, the leader reads them and deletes each in the commit that
 * acts on it. Their number is bounded by {@link StoreLimits#maxPendingRequests()}, so that their
 * parent can be listed in one call. Thread-safe.
 */
final class ControlRequests {

  private final CuratorFramework client;
  private final ZkLayout layout;
  private final PipelinedReader reader;
  private final StoreLimits limits;
  private final RecordSizes sizes;

  ControlRequests(
      CuratorFramework client,
      ZkLayout layout,
      PipelinedReader reader,
      StoreLimits limits,
      RecordSizes sizes) {
    this.client = client;
    this.layout = layout;
    this.reader = reader;
    this.limits = limits;
    this.sizes = sizes;
  }

  void submit(ControlRequest request) {
    byte[] data = sizes.checked("request " + request.id(), RequestCodec.encode(request));
    ZkCall.run(
        () -> {
          Stat parent = client.checkExists().forPath(layout.requests());
          if (parent != null && parent.getNumChildren() >= limits.maxPendingRequests()) {
            throw new TooManyRequestsException(limits.maxPendingRequests());
          }
          try {
            client.create().forPath(layout.request(request.id()), data);
          } catch (KeeperException.NodeExistsException duplicate) {
            // The same request submitted twice (a client retry): once is enough.
          }
          return null;
        });
  }

  /** Oldest first; a request consumed between the listing and its read is left out. */
  List<ControlRequest> pending() {
    return ZkCall.run(
        () -> {
          List<String> paths =
              client.getChildren().forPath(layout.requests()).stream()
                  .map(layout::request)
                  .toList();
          List<ControlRequest> requests = new ArrayList<>();
          reader
              .readAll(paths, RequestCodec::decode)
              .values()
              .forEach(v -> requests.add(v.value()));
          requests.sort(
              Comparator.comparing(ControlRequest::requestedAt).thenComparing(ControlRequest::id));
          return requests;
        });
  }
}
