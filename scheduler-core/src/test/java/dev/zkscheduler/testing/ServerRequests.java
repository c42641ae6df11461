package dev.zkscheduler.testing;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.apache.curator.test.TestingServer;

/** What a standalone test server has received, from its JMX bean: how tests count requests. */
public final class ServerRequests {

  private ServerRequests() {}

  /** Requests (packets) {@code server} has received since it started, from every client. */
  public static long received(TestingServer server) throws Exception {
    return (Long)
        ManagementFactory.getPlatformMBeanServer()
            .getAttribute(
                new ObjectName(
                    "org.apache.ZooKeeperService:name0=StandaloneServer_port" + server.getPort()),
                "PacketsReceived");
  }
}
