package dev.zkscheduler.service.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An HTTP endpoint that {@code http} tasks call: it records every request with its scheduler
 * headers and answers 200, or whatever status was set for the path. A path can be made to hang, for
 * cancellation tests.
 */
public final class Ledger implements AutoCloseable {

  /** One request as it arrived. */
  public record Entry(
      String path,
      String method,
      String job,
      String run,
      String task,
      int attempt,
      long fencingToken,
      Instant arrivedAt,
      Map<String, String> headers) {}

  private final HttpServer server;
  private final List<Entry> entries = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
  private final Map<String, Long> delaysMs = new ConcurrentHashMap<>();

  public Ledger() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public void respond(String path, int status) {
    statuses.put(path, status);
  }

  /** The endpoint at {@code path} waits this long before answering. */
  public void delay(String path, long millis) {
    delaysMs.put(path, millis);
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  public List<Entry> entries(String job) {
    return entries.stream().filter(e -> job.equals(e.job())).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      var h = exchange.getRequestHeaders();
      Map<String, String> headers = new ConcurrentHashMap<>();
      h.forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
      entries.add(
          new Entry(
              path,
              exchange.getRequestMethod(),
              h.getFirst("X-Scheduler-Job"),
              h.getFirst("X-Scheduler-Run"),
              h.getFirst("X-Scheduler-Task"),
              parseInt(h.getFirst("X-Scheduler-Attempt")),
              parseLong(h.getFirst("X-Scheduler-Fencing-Token")),
              Instant.now(),
              headers));
      long delay = delaysMs.getOrDefault(path, 0L);
      if (delay > 0) {
        try {
          Thread.sleep(delay); // simulates a slow endpoint; the test waits on conditions, not this
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      exchange.sendResponseHeaders(statuses.getOrDefault(path, 200), -1);
    }
  }

  private static int parseInt(String s) {
    return s == null ? -1 : Integer.parseInt(s);
  }

  private static long parseLong(String s) {
    return s == null ? -1 : Long.parseLong(s);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
