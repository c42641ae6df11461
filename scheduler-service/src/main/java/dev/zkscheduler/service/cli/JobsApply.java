package dev.zkscheduler.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.service.cli.JobFiles.JobFile;
import dev.zkscheduler.service.cli.JobFiles.Problem;
import dev.zkscheduler.service.cli.JobsClient.Answer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Jobs as code: makes the jobs of a server match a directory of definitions, in two steps. {@link
 * #plan} validates every file and asks the server what each would change (nothing is written);
 * {@link #apply} carries the plan out, each write conditioned on the version the plan compared
 * against, so a job edited on the server in between is reported and not overwritten. Running it
 * again on an unchanged directory plans nothing but {@code SAME}.
 *
 * <p>A job is {@code SAME} when the server would store exactly what it stores now: the service's
 * own comparison ({@code POST /api/v1/jobs/{id}/diff}) with defaults filled in, an interval without
 * {@code startAt} keeping its anchor, header and env values compared as written (a reference
 * against the stored reference, never a resolved secret), and {@code paused}, when the file leaves
 * it out, taken from the server — so an operator's pause is not undone by a deploy. Not
 * thread-safe; one per run.
 */
final class JobsApply {

  /** What a step does to one job. */
  enum Action {
    CREATE,
    CHANGE,
    DELETE,
    SAME
  }

  /** The process exit status of a run; documented in docs/operations.md. */
  enum Outcome {
    /** Applied (or, in a dry run, planned) without a problem; also when nothing was to do. */
    OK(0),
    /** The server could not be reached or answered unexpectedly; some steps may be applied. */
    FAILED(1),
    /** A file is invalid: every problem was printed and nothing was applied. */
    INVALID(2),
    /** A job changed on the server after it was planned: not overwritten, the others applied. */
    CONFLICT(3);

    final int status;

    Outcome(int status) {
      this.status = status;
    }
  }

  /**
   * One job's step; {@code etag} is the version compared against (null for a create), {@code body}
   * what is sent.
   */
  record Step(
      Action action, String id, Path file, String etag, List<String> differences, JsonNode body) {}

  /** The steps, the files' problems (no step is carried out while there are any). */
  record Plan(List<Step> steps, List<Problem> problems, List<String> unmanaged) {

    long count(Action action) {
      return steps.stream().filter(s -> s.action() == action).count();
    }
  }

  private static final int ATTEMPTS = 3;

  private final JobsClient client;
  private final PrintStream out;

  JobsApply(JobsClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  /** Plans, prints the plan, and applies it unless {@code dryRun} or a file is invalid. */
  Outcome run(Path directory, boolean prune, boolean dryRun) {
    Plan plan;
    try {
      plan = plan(directory, prune);
    } catch (IOException e) {
      out.println("error: " + e.getMessage());
      return Outcome.FAILED;
    }
    print(plan, directory);
    if (!plan.problems().isEmpty()) {
      out.println(
          "invalid: "
              + plan.problems().size()
              + " problem(s) in the files above; nothing was applied");
      return Outcome.INVALID;
    }
    if (dryRun) {
      out.println("dry run: nothing was applied");
      return Outcome.OK;
    }
    return apply(plan);
  }

  /**
   * Validates every file (locally, then by the server) and compares each job with the server's.
   * Writes nothing.
   *
   * @throws IOException if the directory cannot be read or the server not asked
   */
  Plan plan(Path directory, boolean prune) throws IOException {
    JobFiles.Contents contents = new JobFiles().read(directory);
    List<Problem> problems = new ArrayList<>(contents.problems());
    List<Step> steps = new ArrayList<>();
    Set<String> inDirectory = new HashSet<>();
    for (JobFile file : contents.jobs()) {
      inDirectory.add(file.id());
      Step step = compare(file, problems);
      if (step != null) {
        steps.add(step);
      }
    }
    // Files that could not be read may name jobs that exist: never prune on a partial reading.
    List<String> unmanaged = new ArrayList<>();
    if (problems.isEmpty()) {
      for (String id : client.ids()) {
        if (!inDirectory.contains(id)) {
          unmanaged.add(id);
        }
      }
    }
    if (prune) {
      for (String id : unmanaged) {
        Answer current = client.get(id);
        if (current.status() == 200) {
          steps.add(new Step(Action.DELETE, id, null, current.etag(), List.of(), null));
        }
      }
      unmanaged = List.of();
    }
    return new Plan(steps, problems, unmanaged);
  }

  private Step compare(JobFile file, List<Problem> problems) throws IOException {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Answer current = client.get(file.id());
      String etag;
      ObjectNode body = file.json().deepCopy();
      if (current.status() == 404) {
        etag = null;
      } else if (current.status() == 200) {
        etag = current.etag();
        if (!body.has("paused") && current.body().has("paused")) {
          body.set("paused", current.body().get("paused"));
        }
      } else {
        throw new IOException("reading job '" + file.id() + "': " + current.message());
      }
      Answer diff = client.diff(file.id(), body, etag);
      switch (diff.status()) {
        case 200 -> {
          Action action = Action.valueOf(diff.body().get("action").asText());
          if (etag == null && action != Action.CREATE) {
            continue; // created on the server between the two calls: read it again
          }
          List<String> differences = new ArrayList<>();
          diff.body().path("differences").forEach(d -> differences.add(d.asText()));
          return new Step(action, file.id(), file.file(), etag, differences, body);
        }
        case 412 -> {
          // changed between the two calls: read it again
        }
        case 422 -> {
          diff.body()
              .path("errors")
              .forEach(
                  e ->
                      problems.add(
                          new Problem(
                              file.file(), e.get("field").asText(), e.get("message").asText())));
          return null;
        }
        case 400, 413 -> {
          problems.add(new Problem(file.file(), "", diff.message()));
          return null;
        }
        case 404 ->
            throw new IOException(
                "the server has no diff call for job definitions (a release before jobs as code?)");
        default -> throw new IOException("comparing job '" + file.id() + "': " + diff.message());
      }
    }
    throw new IOException(
        "job '" + file.id() + "' kept changing on the server while it was compared; try again");
  }

  void print(Plan plan, Path directory) {
    for (Problem problem : plan.problems()) {
      out.println("invalid " + relative(directory, problem.file()) + fieldOf(problem));
    }
    for (Step step : plan.steps()) {
      StringBuilder line =
          new StringBuilder(String.format(Locale.ROOT, "%-7s %s", verb(step.action()), step.id()));
      if (step.file() != null) {
        line.append("  (").append(relative(directory, step.file())).append(')');
      }
      if (!step.differences().isEmpty()) {
        line.append(": ").append(String.join(", ", step.differences()));
      }
      out.println(line);
    }
    if (!plan.unmanaged().isEmpty()) {
      out.println(
          plan.unmanaged().size()
              + " job(s) on the server are not in the directory and are left alone (--prune"
              + " deletes them): "
              + String.join(", ", plan.unmanaged()));
    }
    out.printf(
        Locale.ROOT,
        "plan: %d to create, %d to change, %d to delete, %d unchanged%n",
        plan.count(Action.CREATE),
        plan.count(Action.CHANGE),
        plan.count(Action.DELETE),
        plan.count(Action.SAME));
  }

  /**
   * Carries the steps out in order. A step whose job changed on the server since it was planned
   * (412, or 409 for a job created meanwhile) is reported and skipped; the others go on. An
   * unexpected answer stops the run.
   */
  Outcome apply(Plan plan) {
    int conflicts = 0;
    int done = 0;
    for (Step step : plan.steps()) {
      if (step.action() == Action.SAME) {
        continue;
      }
      Answer answer;
      try {
        answer =
            switch (step.action()) {
              case CREATE -> client.create(step.body());
              case CHANGE -> client.replace(step.id(), step.body(), step.etag());
              case DELETE -> client.delete(step.id(), step.etag());
              case SAME -> throw new IllegalStateException("unreachable");
            };
      } catch (IOException e) {
        out.println("error   " + step.id() + ": " + e.getMessage());
        out.println("stopped after " + done + " write(s); run apply again to see what is left");
        return Outcome.FAILED;
      }
      int status = answer.status();
      if (status == 201 || status == 200 || status == 204 || (status == 404 && deleting(step))) {
        done++;
        out.println(pastTense(step.action()) + " " + step.id());
      } else if (status == 412 || status == 409) {
        conflicts++;
        out.println(
            "conflict "
                + step.id()
                + ": changed on the server since it was planned ("
                + answer.message()
                + "); not overwritten");
      } else {
        out.println("error   " + step.id() + ": " + answer.message());
        out.println("stopped after " + done + " write(s); run apply again to see what is left");
        return Outcome.FAILED;
      }
    }
    if (conflicts > 0) {
      out.println(
          conflicts + " conflict(s): run apply again to plan against the jobs as they are now");
      return Outcome.CONFLICT;
    }
    out.println("applied: " + done + " write(s)");
    return Outcome.OK;
  }

  private static boolean deleting(Step step) {
    return step.action() == Action.DELETE;
  }

  private static String verb(Action action) {
    return action.name().toLowerCase(Locale.ROOT);
  }

  private static String pastTense(Action action) {
    return switch (action) {
      case CREATE -> "created";
      case CHANGE -> "changed";
      case DELETE -> "deleted";
      case SAME -> "unchanged";
    };
  }

  private static String fieldOf(Problem problem) {
    return (problem.field().isEmpty() ? "" : ": " + problem.field()) + ": " + problem.message();
  }

  private static Path relative(Path directory, Path file) {
    return file.startsWith(directory) ? directory.relativize(file) : file;
  }
}
