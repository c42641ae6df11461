package dev.zkscheduler.service.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An {@code http} task's target owned by a test: it records each call's {@code X-Scheduler-*}
 * headers, holds each call for {@code hold} (a task that takes that long), then answers 200. A
 * caller killed meanwhile is still recorded: the call arrived, only the answer is lost.
 */
final class CallRecorder implements AutoCloseable {

  /** One call as it arrived. */
  record Call(String job, String run, int attempt, long token, String node, Instant arrivedAt) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final List<Call> calls = new ArrayList<>();
  private final Duration hold;

  CallRecorder(Duration hold) throws IOException {
    this.hold = hold;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/call";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      var h = exchange.getRequestHeaders();
      synchronized (calls) {
        calls.add(
            new Call(
                h.getFirst("X-Scheduler-Job"),
                h.getFirst("X-Scheduler-Run"),
                Integer.parseInt(h.getFirst("X-Scheduler-Attempt")),
                Long.parseLong(h.getFirst("X-Scheduler-Fencing-Token")),
                h.getFirst("X-Scheduler-Node"),
                Instant.now()));
      }
      try {
        Thread.sleep(hold.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      exchange.sendResponseHeaders(200, -1);
    }
  }

  /** The calls of {@code job}, in arrival order. */
  List<Call> calls(String job) {
    synchronized (calls) {
      return calls.stream().filter(c -> job.equals(c.job())).toList();
    }
  }

  List<Call> all() {
    synchronized (calls) {
      return new ArrayList<>(calls);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
