package dev.zkscheduler.service.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.nio.file.Path;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code java -jar zk-scheduler.jar apply --dir jobs/ [--prune] [--dry-run] --url URL --token T}:
 * makes a running cluster's jobs match a directory of definitions ({@link JobsApply}). A client of
 * the REST API: it needs no configuration file and touches no ZooKeeper. The token may come from
 * {@code ZKS_TOKEN} instead of the command line, which other users of the host can read.
 */
public final class ApplyCommand extends Command {

  /** The run's exit status when it is not 0, for {@code Application#onFatalError}. */
  public static final class ExitStatus extends RuntimeException {
    private final int status;

    ExitStatus(int status) {
      super("exit status " + status, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  public ApplyCommand() {
    super("apply", "Makes the jobs of a running cluster match a directory of job definitions");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser
        .addArgument("--dir")
        .required(true)
        .help("the directory of job definitions: one job per *.json file, subdirectories included");
    subparser
        .addArgument("--url")
        .setDefault("http://localhost:8080")
        .help("the service's API (any node)");
    subparser
        .addArgument("--token")
        .help("an admin token; default: the environment variable ZKS_TOKEN");
    subparser
        .addArgument("--prune")
        .action(Arguments.storeTrue())
        .help("also delete the jobs on the server that are not in the directory");
    subparser
        .addArgument("--dry-run")
        .dest("dryRun")
        .action(Arguments.storeTrue())
        .help("print the plan and change nothing");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) {
    String token = namespace.getString("token");
    if (token == null) {
      token = System.getenv("ZKS_TOKEN");
    }
    JobsApply apply = new JobsApply(new JobsClient(namespace.getString("url"), token), System.out);
    JobsApply.Outcome outcome =
        apply.run(
            Path.of(namespace.getString("dir")),
            namespace.getBoolean("prune"),
            namespace.getBoolean("dryRun"));
    System.out.flush();
    if (outcome != JobsApply.Outcome.OK) {
      throw new ExitStatus(outcome.status);
    }
  }

  /** The run printed what went wrong; a stack trace would bury it. */
  @Override
  public void onError(Cli cli, Namespace namespace, Throwable e) {
    if (!(e instanceof ExitStatus)) {
      super.onError(cli, namespace, e);
    }
  }
}
