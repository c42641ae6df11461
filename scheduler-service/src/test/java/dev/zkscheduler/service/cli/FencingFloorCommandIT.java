package dev.zkscheduler.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.service.SchedulerApplication;
import dev.zkscheduler.service.config.SchedulerConfiguration;
import dev.zkscheduler.zk.ZkLayout;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code fencing-floor} against a real ZooKeeper server: raise, idempotence, refusals, bad input.
 */
class FencingFloorCommandIT {

  private static final ZkLayout LAYOUT = new ZkLayout();

  private static TestingServer zk;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  @BeforeAll
  static void start() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterAll
  static void stop() throws Exception {
    zk.close();
  }

  private static CuratorFramework client(String namespace) {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(zk.getConnectString())
            .namespace(namespace)
            .retryPolicy(new RetryNTimes(3, 200))
            .build();
    client.start();
    return client;
  }

  /** Runs the command as the jar does, printing into {@link #printed}. */
  private Optional<Throwable> floor(String... arguments) {
    printed.reset();
    SchedulerApplication application = new SchedulerApplication();
    Bootstrap<SchedulerConfiguration> bootstrap = new Bootstrap<>(application);
    bootstrap.addCommand(
        new FencingFloorCommand(new PrintStream(printed, true, StandardCharsets.UTF_8)));
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    Cli cli =
        new Cli(
            new JarLocation(SchedulerApplication.class),
            bootstrap,
            new PrintStream(sink, true, StandardCharsets.UTF_8),
            new PrintStream(sink, true, StandardCharsets.UTF_8));
    String[] all = new String[arguments.length + 3];
    all[0] = "fencing-floor";
    all[1] = "--zk";
    all[2] = zk.getConnectString();
    System.arraycopy(arguments, 0, all, 3, arguments.length);
    return cli.run(all);
  }

  private String output() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  private static int status(Optional<Throwable> failure) {
    return failure.map(e -> e instanceof ApplyCommand.ExitStatus s ? s.status() : -1).orElse(0);
  }

  @Test
  void raisesTheFloorAndTheEpochOnceAndShowsThem() throws Exception {
    try (CuratorFramework client = client("raise")) {
      client.create().creatingParentsIfNeeded().forPath(LAYOUT.epoch(), new byte[0]);

      assertThat(
              status(
                  floor("--namespace", "raise", "--at-least", "90000", "--epoch-at-least", "41")))
          .as(output())
          .isZero();
      assertThat(output())
          .contains("before: fencing floor 0, epoch 0,")
          .contains("after:  fencing floor 90000, epoch 42,")
          .contains("every fencing token handed out from now on is larger than 90000")
          .contains("the next leader term's epoch is larger than 41");
      long written = client.checkExists().forPath(LAYOUT.epoch()).getMzxid();

      assertThat(
              status(
                  floor("--namespace", "raise", "--at-least", "90000", "--epoch-at-least", "41")))
          .isZero();
      assertThat(output()).contains("before: fencing floor 90000, epoch 42,");
      assertThat(client.checkExists().forPath(LAYOUT.epoch()).getMzxid()).isEqualTo(written);

      assertThat(status(floor("--namespace", "raise", "--show"))).isZero();
      assertThat(output()).startsWith("fencing floor 90000, epoch 42,").contains("registered none");
    }
  }

  @Test
  void refusesWhileANodeIsRegistered() throws Exception {
    try (CuratorFramework client = client("running")) {
      client.create().creatingParentsIfNeeded().forPath(LAYOUT.epoch(), new byte[0]);
      client
          .create()
          .creatingParentsIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(LAYOUT.member("n1"), new byte[0]);

      assertThat(
              status(floor("--namespace", "running", "--at-least", "7", "--epoch-at-least", "3")))
          .isEqualTo(3);
      assertThat(output()).contains("refused: nodes are registered: [/members/n1]");
      assertThat(client.checkExists().forPath(LAYOUT.fencingFloor())).isNull();
      assertThat(client.checkExists().forPath(LAYOUT.epoch()).getVersion()).isZero();
    }
  }

  @Test
  void badInputNamesTheOptionAndWritesNothing() throws Exception {
    try (CuratorFramework client = client("bad")) {
      client.create().creatingParentsIfNeeded().forPath(LAYOUT.epoch(), new byte[0]);
      String[][] cases = {
        {"--at-least", "-4"},
        {"--at-least", "many"},
        {"--at-least", "4611686018427387904"},
        {"--at-least", "10", "--epoch-at-least", "1000001"},
        {"--at-least", "10", "--epoch-at-least", "-1"},
        {"--epoch-at-least", "10"},
        {"--show", "--at-least", "10"},
      };
      String[] options = {
        "--at-least",
        "--at-least",
        "--at-least",
        "--epoch-at-least",
        "--epoch-at-least",
        "--at-least",
        "--show"
      };
      for (int i = 0; i < cases.length; i++) {
        String[] args = new String[cases[i].length + 2];
        args[0] = "--namespace";
        args[1] = "bad";
        System.arraycopy(cases[i], 0, args, 2, cases[i].length);
        assertThat(status(floor(args))).as(String.join(" ", cases[i])).isEqualTo(2);
        assertThat(output())
            .as(String.join(" ", cases[i]))
            .startsWith("invalid " + options[i] + ": ")
            .contains("nothing was written");
      }
      assertThat(status(floor("--namespace", "Bad/ns", "--at-least", "10"))).isEqualTo(2);
      assertThat(output()).startsWith("invalid --namespace: ");
      assertThat(client.checkExists().forPath(LAYOUT.fencingFloor())).isNull();
      assertThat(client.checkExists().forPath(LAYOUT.epoch()).getVersion()).isZero();
    }
  }

  @Test
  void theServiceJarOffersTheCommand() {
    SchedulerApplication application = new SchedulerApplication();
    Bootstrap<SchedulerConfiguration> bootstrap = new Bootstrap<>(application);
    application.initialize(bootstrap);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    Cli cli =
        new Cli(
            new JarLocation(SchedulerApplication.class),
            bootstrap,
            new PrintStream(sink, true, StandardCharsets.UTF_8),
            new PrintStream(sink, true, StandardCharsets.UTF_8));
    assertThat(cli.run("fencing-floor", "--zk", zk.getConnectString(), "--at-least", "x"))
        .get()
        .isInstanceOfSatisfying(
            ApplyCommand.ExitStatus.class, e -> assertThat(e.status()).isEqualTo(2));
  }
}
