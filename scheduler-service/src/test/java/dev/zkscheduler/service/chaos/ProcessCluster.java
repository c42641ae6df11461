package dev.zkscheduler.service.chaos;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zkscheduler.service.support.ApiClient;
import dev.zkscheduler.service.support.TestService;
import dev.zkscheduler.testing.TcpProxy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A real cluster on loopback, in separate processes: a 3-server ZooKeeper ensemble (ZooKeeper's own
 * {@code QuorumPeerMain}, from the Maven-resolved jars on this test's classpath) and 3 scheduler
 * service nodes ({@code target/zk-scheduler.jar}). Each node reaches each ZooKeeper server through
 * a {@link TcpProxy} of its own, so one node can be partitioned from the ensemble while the others
 * keep talking to it. Processes are killed with SIGKILL, paused with SIGSTOP, stopped with SIGTERM.
 */
final class ProcessCluster implements AutoCloseable {

  static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);

  private final Path dir;
  private final String java = ProcessHandle.current().info().command().orElse("java");
  private final List<ZkServer> servers = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private Duration shutdownTimeout = Duration.ofSeconds(3);

  ProcessCluster(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    for (int i = 1; i <= 3; i++) {
      servers.add(
          new ZkServer(i, TestService.freePort(), TestService.freePort(), TestService.freePort()));
    }
    for (int i = 1; i <= 3; i++) {
      nodes.add(new Node(i));
    }
  }

  /**
   * How long a stopping node's running handlers get to finish ({@code scheduler.shutdownTimeout}).
   */
  ProcessCluster withShutdownTimeout(Duration timeout) {
    this.shutdownTimeout = timeout;
    return this;
  }

  /** The node named {@code id} ({@code node-1} ...). */
  Node node(String id) {
    return nodes.stream()
        .filter(n -> n.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + id));
  }

  List<ZkServer> servers() {
    return servers;
  }

  List<Node> nodes() {
    return nodes;
  }

  void start() throws Exception {
    startEnsemble();
    for (Node node : nodes) {
      node.createProxies();
      node.writeConfig();
      node.start();
    }
    for (Node node : nodes) {
      node.awaitUp();
    }
  }

  /** The node every running node names leader, once they agree and exactly one says it leads. */
  Optional<Node> agreedLeader() {
    List<JsonNode> views = new ArrayList<>();
    for (Node node : nodes) {
      if (node.running() && !node.paused()) {
        JsonNode view = node.clusterView();
        if (view == null) {
          return Optional.empty();
        }
        views.add(view);
      }
    }
    if (views.isEmpty()) {
      return Optional.empty();
    }
    long selfLeaders =
        views.stream().filter(v -> v.path("self").path("leader").asBoolean()).count();
    List<String> named = views.stream().map(v -> v.path("leader").asText("")).distinct().toList();
    if (selfLeaders != 1 || named.size() != 1 || named.get(0).isEmpty()) {
      return Optional.empty();
    }
    return nodes.stream().filter(n -> n.id().equals(named.get(0))).findFirst();
  }

  Node awaitLeader(Duration within) {
    Node[] leader = new Node[1];
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Optional<Node> l = agreedLeader();
              l.ifPresent(n -> leader[0] = n);
              return l.isPresent();
            });
    return leader[0];
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      node.destroy();
    }
    for (ZkServer server : servers) {
      server.kill();
    }
  }

  private String zkConnectString() {
    return servers.stream().map(s -> "127.0.0.1:" + s.clientPort).collect(Collectors.joining(","));
  }

  static void signal(Process process, String signal) {
    try {
      Process kill =
          new ProcessBuilder("sh", "-c", "kill -" + signal + " " + process.pid())
              .redirectErrorStream(true)
              .start();
      kill.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One ZooKeeper server process. */
  /**
   * Starts the three servers until they serve. A port picked free can be taken by another socket
   * before the server binds it (seen once in CI: the server exits, "Address already in use"); then
   * every server gets new ports — each one's config names all of them — and the ensemble starts
   * again, at most three times.
   */
  private void startEnsemble() throws Exception {
    for (int round = 1; ; round++) {
      for (ZkServer server : servers) {
        server.writeConfig();
        server.start();
      }
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    servers.stream().anyMatch(server -> !server.running())
                        || servers.stream().allMatch(ZkServer::serving));
      } catch (org.awaitility.core.ConditionTimeoutException slow) {
        throw new IllegalStateException("the ZooKeeper ensemble did not serve within 60 s", slow);
      }
      if (servers.stream().allMatch(ZkServer::running)) {
        return;
      }
      servers.forEach(ZkServer::kill);
      if (round == 3) {
        throw new IllegalStateException("a ZooKeeper server exited at start, three times");
      }
      servers.forEach(ZkServer::newPorts);
    }
  }

  final class ZkServer {
    final int id;
    int clientPort;
    int peerPort;
    int electionPort;
    private Process process;

    ZkServer(int id, int clientPort, int peerPort, int electionPort) {
      this.id = id;
      this.clientPort = clientPort;
      this.peerPort = peerPort;
      this.electionPort = electionPort;
    }

    private Path home() {
      return dir.resolve("zk" + id);
    }

    /** Fresh ports, before the ensemble is started again (see {@link #startEnsemble}). */
    void newPorts() {
      clientPort = TestService.freePort();
      peerPort = TestService.freePort();
      electionPort = TestService.freePort();
    }

    void writeConfig() throws IOException {
      Path data = home().resolve("data");
      Files.createDirectories(data);
      Files.writeString(data.resolve("myid"), Integer.toString(id));
      StringBuilder cfg = new StringBuilder();
      cfg.append("tickTime=200\ninitLimit=50\nsyncLimit=10\n");
      cfg.append("maxSessionTimeout=20000\n");
      cfg.append("dataDir=").append(data).append('\n');
      cfg.append("clientPort=").append(clientPort).append('\n');
      cfg.append("clientPortAddress=127.0.0.1\n");
      cfg.append("admin.enableServer=false\n");
      cfg.append("4lw.commands.whitelist=srvr,ruok\n");
      for (ZkServer s : servers) {
        cfg.append("server.")
            .append(s.id)
            .append("=127.0.0.1:")
            .append(s.peerPort)
            .append(':')
            .append(s.electionPort)
            .append('\n');
      }
      Files.writeString(home().resolve("zoo.cfg"), cfg.toString());
    }

    void start() throws IOException {
      process =
          new ProcessBuilder(
                  java,
                  "-Xmx192m",
                  "-XX:+UseSerialGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                  home().resolve("zoo.cfg").toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(home().resolve("zk.log").toFile()))
              .start();
    }

    boolean running() {
      return process != null && process.isAlive();
    }

    void kill() {
      if (process != null) {
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** {@code srvr} answers with a Mode line once the server is part of a quorum. */
    boolean serving() {
      String mode = mode();
      return mode.equals("leader") || mode.equals("follower");
    }

    String mode() {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", clientPort), 500);
        socket.setSoTimeout(1_000);
        OutputStream out = socket.getOutputStream();
        out.write("srvr".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("Mode:")) {
            return line.substring(5).trim();
          }
        }
        return "unknown";
      } catch (IOException e) {
        return "down";
      }
    }
  }

  /** One scheduler service process and its proxies to the ensemble. */
  final class Node {
    final int index;
    private int apiPort = TestService.freePort();
    private int adminPort = TestService.freePort();
    private final List<TcpProxy> proxies = new ArrayList<>();
    private Process process;
    private volatile boolean paused;

    Node(int index) {
      this.index = index;
    }

    String id() {
      return "node-" + index;
    }

    void createProxies() throws IOException {
      for (ZkServer server : servers) {
        proxies.add(new TcpProxy(server.clientPort));
      }
    }

    private Path config() {
      return dir.resolve(id() + ".yml");
    }

    void writeConfig() throws IOException {
      String connect =
          proxies.stream().map(TcpProxy::connectString).collect(Collectors.joining(","));
      String yaml =
          String.join(
              "\n",
              "zookeeper:",
              "  connectString: '" + connect + "'",
              "  namespace: chaos",
              "  sessionTimeout: " + SESSION_TIMEOUT.toSeconds() + "s",
              "  connectionTimeout: 2s",
              "scheduler:",
              "  instanceId: " + id(),
              "  taskThreads: 16",
              "  retainedRuns: 50",
              "  shutdownTimeout: " + shutdownTimeout.toSeconds() + "s",
              "tasks:",
              "  http:",
              "    defaultTimeout: 5s",
              "auth:",
              "  enabled: true",
              "  tokens:",
              "    - {name: admin, token: " + TestService.ADMIN + ", role: admin}",
              "    - {name: viewer, token: " + TestService.VIEWER + ", role: viewer}",
              "server:",
              "  shutdownGracePeriod: 2s",
              "  requestLog:",
              "    appenders: []",
              "  applicationConnectors:",
              "    - {type: http, port: " + apiPort + ", bindHost: 127.0.0.1}",
              "  adminConnectors:",
              "    - {type: http, port: " + adminPort + ", bindHost: 127.0.0.1}",
              "logging:",
              "  level: INFO",
              "  loggers:",
              "    org.apache.zookeeper: WARN",
              "    org.apache.curator: WARN",
              "    org.eclipse.jetty: WARN",
              "    io.dropwizard: WARN",
              // -Dchaos.debug=true: the engine's per-run and per-attempt lines, to trace a finding.
              Boolean.getBoolean("chaos.debug") ? "    dev.zkscheduler: DEBUG" : "",
              "");
      Files.writeString(config(), yaml);
    }

    void start() throws IOException {
      Path jar = Path.of("target", "zk-scheduler.jar");
      if (!Files.exists(jar)) {
        throw new IllegalStateException(
            jar.toAbsolutePath() + " is missing: run mvn package first");
      }
      paused = false;
      process =
          new ProcessBuilder(
                  java,
                  "-Xmx384m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-jar",
                  jar.toString(),
                  "server",
                  config().toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(id() + ".log").toFile()))
              .start();
    }

    /**
     * Waits until the node answers. A node that died at start lost a port to another process
     * between {@code freePort()} and its bind (seen once in CI): it gets new ports and starts
     * again.
     */
    void awaitUp() {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (process != null && !process.isAlive() && !paused) {
                  apiPort = TestService.freePort();
                  adminPort = TestService.freePort();
                  writeConfig();
                  start();
                  return false;
                }
                return clusterView() != null;
              });
    }

    boolean running() {
      return process != null && process.isAlive();
    }

    boolean paused() {
      return paused;
    }

    /** SIGKILL: no shutdown hook, no latch release; the session must expire. */
    void kill() {
      destroy();
    }

    /** SIGTERM and wait for a graceful exit. */
    void terminate() {
      if (running()) {
        process.destroy();
        try {
          if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(id() + " did not stop within 30 s of SIGTERM");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    void pause() {
      signal(process, "STOP");
      paused = true;
    }

    void resume() {
      signal(process, "CONT");
      paused = false;
    }

    void partition() {
      proxies.forEach(TcpProxy::blackhole);
    }

    void heal() {
      proxies.forEach(TcpProxy::heal);
    }

    void destroy() {
      if (process != null && process.isAlive()) {
        if (paused) {
          signal(process, "CONT");
        }
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      paused = false;
    }

    ApiClient api(String token) {
      return new ApiClient("http://127.0.0.1:" + apiPort, token);
    }

    /** This node's {@code GET /api/v1/cluster}, or null when it does not answer 200. */
    JsonNode clusterView() {
      if (!running() || paused) {
        return null;
      }
      try {
        ApiClient.Response r =
            api(TestService.VIEWER).withTimeout(Duration.ofSeconds(2)).get("/api/v1/cluster");
        return r.status() == 200 ? r.json() : null;
      } catch (RuntimeException e) {
        return null;
      }
    }
  }

  /** Indices 0..2 in random order, from the suite's seeded random. */
  static List<Integer> shuffled(Random random) {
    List<Integer> order = new ArrayList<>(IntStream.range(0, 3).boxed().toList());
    Collections.shuffle(order, random);
    return order;
  }
}
