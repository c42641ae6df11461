package dev.zkscheduler.service.resources;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.dag.Run;
import dev.zkscheduler.dag.RunState;
import dev.zkscheduler.engine.JobStatus;
import dev.zkscheduler.error.NoSuchJobException;
import dev.zkscheduler.job.JobDefinition;
import dev.zkscheduler.job.JobPage;
import dev.zkscheduler.job.JobValidationException;
import dev.zkscheduler.job.Versioned;
import dev.zkscheduler.service.api.JobDto;
import dev.zkscheduler.service.api.JobMapper;
import dev.zkscheduler.service.api.JobPageDto;
import dev.zkscheduler.service.api.JobStatusDto;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@code GET /api/v1/jobs}: a page of jobs in id order, optionally searched ({@code q}), filtered
 * by {@code state} and answered with each job's {@code status}.
 *
 * <p>Without {@code q} or {@code state} a page is exactly what the store pages. With them the jobs
 * after the cursor are examined in id order until {@code limit} match or {@link #SCAN_BUDGET} jobs
 * have been examined ({@link #STATUS_BUDGET} status reads for a {@code state} filter), so one call
 * stays bounded on a large store: a page may then hold fewer than {@code limit} jobs, and {@code
 * next} (the last job examined) is where the search goes on. {@code next} is null once the search
 * reached the last job.
 */
final class JobListing {

  /** Jobs examined by one filtered call at most. */
  static final int SCAN_BUDGET = 5000;

  /** Status reads (a few ZooKeeper reads each) by one call filtered on running or failing. */
  static final int STATUS_BUDGET = 500;

  private static final Set<RunState> FAILING = Set.of(RunState.FAILED, RunState.TIMED_OUT);
  private static final Set<RunState> ACTIVE = Set.of(RunState.PENDING, RunState.RUNNING);

  /** The {@code state} filter. */
  enum StateFilter {
    PAUSED,
    FAILING,
    RUNNING;

    static Optional<StateFilter> parse(String value) {
      if (value == null || value.isBlank()) {
        return Optional.empty();
      }
      try {
        return Optional.of(valueOf(value.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new JobValidationException(
            "state", "must be one of paused, failing, running; was '" + value + "'");
      }
    }
  }

  private final Scheduler scheduler;
  private final JobMapper jobs;
  private final Executor statusReads;

  /**
   * @param statusReads runs the status reads of one unfiltered page side by side: each is a few
   *     ZooKeeper round trips that need not wait for the others
   */
  JobListing(Scheduler scheduler, JobMapper jobs, Executor statusReads) {
    this.scheduler = scheduler;
    this.jobs = jobs;
    this.statusReads = statusReads;
  }

  JobPageDto list(
      String after, int limit, String query, Optional<StateFilter> state, boolean withStatus) {
    String needle = query == null ? "" : query.trim().toLowerCase(Locale.ROOT);
    if (needle.isEmpty() && state.isEmpty()) {
      JobPage page = scheduler.jobs(after, limit);
      List<CompletableFuture<Optional<JobDto>>> dtos = new ArrayList<>();
      for (Versioned<JobDefinition> job : page.jobs()) {
        dtos.add(
            withStatus
                ? CompletableFuture.supplyAsync(() -> dto(job.value(), true), statusReads)
                : CompletableFuture.completedFuture(dto(job.value(), false)));
      }
      List<JobDto> answer = new ArrayList<>();
      for (CompletableFuture<Optional<JobDto>> dto : dtos) {
        join(dto).ifPresent(answer::add);
      }
      return new JobPageDto(answer, page.next());
    }
    return search(after, limit, needle, state.orElse(null), withStatus);
  }

  private JobPageDto search(
      String after, int limit, String needle, StateFilter state, boolean withStatus) {
    List<JobDto> answer = new ArrayList<>();
    String cursor = after;
    int examined = 0;
    int statusesRead = 0;
    while (true) {
      JobPage page = scheduler.jobs(cursor, Math.min(1000, SCAN_BUDGET - examined));
      for (Versioned<JobDefinition> versioned : page.jobs()) {
        JobDefinition job = versioned.value();
        examined++;
        cursor = job.id();
        if (matches(job, needle)) {
          if (state == null || (state == StateFilter.PAUSED && job.paused())) {
            dto(job, withStatus).ifPresent(answer::add);
          } else if (state != StateFilter.PAUSED) {
            statusesRead++;
            status(job.id())
                .filter(s -> hasState(s, state))
                .ifPresent(s -> answer.add(withStatus ? withStatus(job, s) : jobs.toDto(job)));
          }
        }
        boolean full = answer.size() == limit;
        boolean outOfBudget = examined >= SCAN_BUDGET || statusesRead >= STATUS_BUDGET;
        if (full || outOfBudget) {
          boolean last =
              page.next() == null && versioned == page.jobs().get(page.jobs().size() - 1);
          return new JobPageDto(answer, last ? null : cursor);
        }
      }
      if (page.next() == null) {
        return new JobPageDto(answer, null);
      }
      cursor = page.next();
    }
  }

  /** The read's own exception, as if it had run on the request thread. */
  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static boolean matches(JobDefinition job, String needle) {
    if (needle.isEmpty()) {
      return true;
    }
    return job.id().contains(needle)
        || (job.description() != null
            && job.description().toLowerCase(Locale.ROOT).contains(needle));
  }

  private static boolean hasState(JobStatus status, StateFilter state) {
    Run last = status.lastRun();
    return switch (state) {
      case PAUSED -> status.paused();
      case FAILING -> last != null && FAILING.contains(last.state());
      case RUNNING -> last != null && ACTIVE.contains(last.state());
    };
  }

  /** A job deleted since the page was read is left out rather than failing the page. */
  private Optional<JobDto> dto(JobDefinition job, boolean withStatus) {
    if (!withStatus) {
      return Optional.of(jobs.toDto(job));
    }
    return status(job.id()).map(s -> withStatus(job, s));
  }

  private JobDto withStatus(JobDefinition job, JobStatus status) {
    return jobs.toDto(job).withStatus(JobStatusDto.from(status));
  }

  private Optional<JobStatus> status(String id) {
    try {
      return Optional.of(scheduler.status(id));
    } catch (NoSuchJobException e) {
      return Optional.empty();
    }
  }
}
