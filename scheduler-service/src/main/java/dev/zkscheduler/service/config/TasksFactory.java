package dev.zkscheduler.service.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zkscheduler.job.TaskHandler;
import dev.zkscheduler.service.tasks.HttpTask;
import dev.zkscheduler.service.tasks.NoopTask;
import dev.zkscheduler.service.tasks.ShellTask;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built-in task types. */
public class TasksFactory {

  @NotNull @JsonProperty public Shell shell = new Shell();

  @NotNull @JsonProperty public Http http = new Http();

  /** The built-in handlers by task type; {@code shell} refuses to run unless enabled. */
  public Map<String, TaskHandler> build() {
    Map<String, TaskHandler> handlers = new LinkedHashMap<>();
    handlers.put(NoopTask.TYPE, new NoopTask());
    handlers.put(
        HttpTask.TYPE,
        new HttpTask(java.time.Duration.ofMillis(http.defaultTimeout.toMilliseconds())));
    handlers.put(ShellTask.TYPE, new ShellTask(shell.enabled, shell.maxOutputBytes));
    return handlers;
  }

  /** The {@code shell} type runs commands on the scheduler's host: off unless enabled. */
  public static class Shell {
    @JsonProperty public boolean enabled = false;

    @Min(1024)
    @Max(10 * 1024 * 1024)
    @JsonProperty
    public int maxOutputBytes = 64 * 1024;
  }

  public static class Http {
    /** Used when a task sets no {@code timeout}; the task's own timeout still bounds it. */
    @NotNull
    @MaxDuration(value = 1, unit = TimeUnit.HOURS)
    @JsonProperty
    public Duration defaultTimeout = Duration.seconds(30);
  }
}
