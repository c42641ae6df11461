package dev.zkscheduler.service.cli;

import dev.zkscheduler.zk.FencingFloor;
import dev.zkscheduler.zk.ZkLayout;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * {@code java -jar zk-scheduler.jar fencing-floor --zk host:port [--namespace ns] (--show |
 * --at-least N [--epoch-at-least E])}: after ZooKeeper's data was restored from a backup or copied
 * into a new ensemble, makes every fencing token handed out from now on larger than {@code N} and
 * the next leader term's epoch larger than {@code E} ({@link FencingFloor#raise}); refuses while
 * any node is registered. {@code --show} prints the floor, the epoch and the bound of the tokens
 * handed out so far, and writes nothing. Talks to ZooKeeper directly; needs no configuration file.
 * Exit status: 0 done, 1 failed, 2 bad input (nothing written), 3 refused: the cluster is running.
 */
public final class FencingFloorCommand extends Command {

  /** The same rule as {@code zookeeper.namespace} in the configuration. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private static final int CONNECT_SECONDS = 10;

  private final PrintStream out;

  public FencingFloorCommand() {
    this(System.out);
  }

  /** With the stream the command prints to (tests). */
  FencingFloorCommand(PrintStream out) {
    super(
        "fencing-floor",
        "After a ZooKeeper restore or move: keeps fencing tokens and leader epochs growing");
    this.out = out;
  }

  @Override
  public void configure(Subparser subparser) {
    subparser
        .addArgument("--zk")
        .required(true)
        .help("the ZooKeeper ensemble, host:port[,host:port...] (zookeeper.connectString)");
    subparser
        .addArgument("--namespace")
        .setDefault("zk-scheduler")
        .help("the cluster's namespace (zookeeper.namespace)");
    subparser
        .addArgument("--at-least")
        .dest("atLeast")
        .help("every fencing token handed out from now on is larger than this");
    subparser
        .addArgument("--epoch-at-least")
        .dest("epochAtLeast")
        .help("the next leader term's epoch is larger than this");
    subparser
        .addArgument("--show")
        .action(Arguments.storeTrue())
        .help("print the floor, the epoch and the largest token handed out so far; write nothing");
    subparser
        .addArgument("--digest-user")
        .dest("digestUser")
        .help(
            "the ZooKeeper digest identity (zookeeper.digest.username); the password comes from"
                + " the environment variable ZKS_ZK_PASSWORD");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) {
    int status = execute(namespace);
    out.flush();
    if (status != 0) {
      throw new ApplyCommand.ExitStatus(status);
    }
  }

  private int execute(Namespace namespace) {
    String ns = namespace.getString("namespace");
    boolean show = namespace.getBoolean("show");
    Long atLeast;
    Long epochAtLeast;
    try {
      if (!NAMESPACE.matcher(ns).matches()) {
        throw new BadOption(
            "--namespace", "must match " + NAMESPACE.pattern() + ", not '" + ns + "'");
      }
      atLeast = number("--at-least", namespace.getString("atLeast"), FencingFloor.MAX_FLOOR);
      epochAtLeast =
          number("--epoch-at-least", namespace.getString("epochAtLeast"), FencingFloor.MAX_EPOCH);
      if (show && (atLeast != null || epochAtLeast != null)) {
        throw new BadOption("--show", "writes nothing: leave out --at-least and --epoch-at-least");
      }
      if (!show && atLeast == null) {
        throw new BadOption("--at-least", "is required (or --show, to read the current values)");
      }
      if (namespace.getString("digestUser") != null && System.getenv("ZKS_ZK_PASSWORD") == null) {
        throw new BadOption("--digest-user", "needs the password in ZKS_ZK_PASSWORD");
      }
    } catch (BadOption e) {
      out.println("invalid " + e.getMessage() + "; nothing was written");
      return 2;
    }
    try (CuratorFramework client = connect(namespace.getString("zk"), ns, namespace)) {
      ZkLayout layout = new ZkLayout();
      if (show) {
        print("", FencingFloor.show(client, layout));
        return 0;
      }
      FencingFloor.Raised raised;
      try {
        raised =
            FencingFloor.raise(
                client, layout, atLeast, epochAtLeast == null ? -1 : Math.toIntExact(epochAtLeast));
      } catch (IllegalStateException refused) {
        out.println("refused: " + refused.getMessage());
        return 3;
      }
      print("before: ", raised.before());
      print("after:  ", raised.after());
      out.println(
          "every fencing token handed out from now on is larger than "
              + atLeast
              + (epochAtLeast == null
                  ? ""
                  : "; the next leader term's epoch is larger than " + epochAtLeast));
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.println("failed: interrupted");
      return 1;
    } catch (Exception e) {
      out.println("failed: " + e);
      return 1;
    }
  }

  private void print(String prefix, FencingFloor.Snapshot s) {
    out.println(
        prefix
            + "fencing floor "
            + s.floor()
            + ", epoch "
            + s.epoch()
            + ", assignments' last zxid "
            + s.assignmentsZxid()
            + ", tokens so far at most "
            + s.tokensAtMost()
            + ", registered "
            + (s.registered().isEmpty() ? "none" : s.registered()));
  }

  /** A whole number from 0 to {@code max}, or null when the option is absent. */
  private static Long number(String option, String text, long max) throws BadOption {
    if (text == null) {
      return null;
    }
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new BadOption(
          option, "must be a whole number from 0 to " + max + ", not '" + text + "'");
    }
    if (value < 0 || value > max) {
      throw new BadOption(option, "must be from 0 to " + max + ", not " + value);
    }
    return value;
  }

  private CuratorFramework connect(String connectString, String ns, Namespace namespace)
      throws InterruptedException {
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .namespace(ns)
            .connectionTimeoutMs(CONNECT_SECONDS * 1000)
            .retryPolicy(new RetryNTimes(3, 500))
            .ensembleTracker(false);
    String user = namespace.getString("digestUser");
    if (user != null) {
      builder
          .authorization(
              "digest",
              (user + ":" + System.getenv("ZKS_ZK_PASSWORD")).getBytes(StandardCharsets.UTF_8))
          .aclProvider(new CreatorOnly());
    }
    CuratorFramework client = builder.build();
    client.start();
    if (!client.blockUntilConnected(CONNECT_SECONDS, TimeUnit.SECONDS)) {
      client.close();
      throw new IllegalStateException(
          "ZooKeeper at " + connectString + " could not be reached in " + CONNECT_SECONDS + " s");
    }
    return client;
  }

  /** The scheduler's own ACL when it uses a digest identity: the floor znode gets the same. */
  private static final class CreatorOnly implements ACLProvider {
    @Override
    public List<ACL> getDefaultAcl() {
      return ZooDefs.Ids.CREATOR_ALL_ACL;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
      return ZooDefs.Ids.CREATOR_ALL_ACL;
    }
  }

  private static final class BadOption extends Exception {
    BadOption(String option, String problem) {
      super(option + ": " + problem, null, false, false);
    }
  }

  /** The run printed what went wrong; a stack trace would bury it. */
  @Override
  public void onError(Cli cli, Namespace namespace, Throwable e) {
    if (!(e instanceof ApplyCommand.ExitStatus)) {
      super.onError(cli, namespace, e);
    }
  }
}
