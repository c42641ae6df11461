package dev.zkscheduler.service.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The fault suite's witness: an HTTP server owned by the test that every {@code http} task calls.
 * It records each call (job, run, task, attempt, fencing token, node, arrival) in arrival order and
 * answers 200, except on {@code /flaky}, which fails every first attempt with 500. The verdict is
 * computed from these records and ZooKeeper's final state only, never from the nodes' logs.
 */
final class ChaosLedger implements AutoCloseable {

  /** One call as it arrived. {@code seq} is the arrival order. */
  record Entry(
      long seq,
      String path,
      String job,
      String run,
      String task,
      int attempt,
      long token,
      String node,
      Instant arrivedAt,
      int status) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final List<Entry> entries = new ArrayList<>();

  ChaosLedger() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      var h = exchange.getRequestHeaders();
      String path = exchange.getRequestURI().getPath();
      int attempt = parseInt(h.getFirst("X-Scheduler-Attempt"));
      int status = path.startsWith("/flaky") && attempt == 1 ? 500 : 200;
      synchronized (entries) {
        entries.add(
            new Entry(
                entries.size(),
                path,
                h.getFirst("X-Scheduler-Job"),
                h.getFirst("X-Scheduler-Run"),
                h.getFirst("X-Scheduler-Task"),
                attempt,
                parseLong(h.getFirst("X-Scheduler-Fencing-Token")),
                h.getFirst("X-Scheduler-Node"),
                Instant.now(),
                status));
      }
      exchange.sendResponseHeaders(status, -1);
    }
  }

  List<Entry> entries() {
    synchronized (entries) {
      return new ArrayList<>(entries);
    }
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  /** The largest fencing token seen so far (-1 before any call). */
  long maxToken() {
    synchronized (entries) {
      return entries.stream().mapToLong(Entry::token).max().orElse(-1);
    }
  }

  /** The first call that arrived after {@code seq} carrying a token above {@code token}. */
  Entry firstAfterWithTokenAbove(long seq, long token) {
    synchronized (entries) {
      for (int i = (int) Math.max(0, seq); i < entries.size(); i++) {
        if (entries.get(i).token() > token) {
          return entries.get(i);
        }
      }
      return null;
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
    executor.shutdownNow();
  }
}
