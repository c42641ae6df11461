package dev.zkscheduler.job;

/** The outcome of one task attempt: success, or failure with a message for operators. */
public record TaskResult(boolean succeeded, String message) {

  private static final TaskResult SUCCESS = new TaskResult(true, null);

  public static TaskResult success() {
    return SUCCESS;
  }

  public static TaskResult success(String message) {
    return new TaskResult(true, message);
  }

  public static TaskResult failure(String message) {
    return new TaskResult(false, message);
  }
}
