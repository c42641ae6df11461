package dev.zkscheduler.service.zookeeper;

import io.dropwizard.lifecycle.Managed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single ZooKeeper server inside the service process (ZooKeeper's own {@link
 * ZooKeeperServerEmbedded}), for a one-command start on a laptop. Its data lives under {@code
 * dataDir}, so jobs survive a restart. Not for production: a cluster runs a real ensemble.
 */
public final class EmbeddedZooKeeper implements Managed {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

  private final Path dataDir;
  private final int port;
  private final int tickTimeMs;
  private ZooKeeperServerEmbedded server;

  public EmbeddedZooKeeper(Path dataDir, int port, int tickTimeMs) {
    this.dataDir = dataDir;
    this.port = port;
    this.tickTimeMs = tickTimeMs;
  }

  public String connectString() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void start() throws Exception {
    Files.createDirectories(dataDir);
    Properties config = new Properties();
    config.setProperty("clientPort", Integer.toString(port));
    config.setProperty("clientPortAddress", "127.0.0.1");
    config.setProperty("tickTime", Integer.toString(tickTimeMs));
    config.setProperty("initLimit", "10");
    config.setProperty("syncLimit", "5");
    config.setProperty("admin.enableServer", "false");
    config.setProperty("4lw.commands.whitelist", "ruok,mntr,srvr");
    server =
        ZooKeeperServerEmbedded.builder()
            .baseDir(dataDir)
            .configuration(config)
            .exitHandler(ExitHandler.LOG_ONLY)
            .build();
    server.start(30_000);
    log.info(
        "embedded ZooKeeper listening on {} with data in {}",
        connectString(),
        dataDir.toAbsolutePath());
  }

  @Override
  public void stop() {
    if (server != null) {
      server.close();
      log.info("embedded ZooKeeper stopped");
    }
  }
}
