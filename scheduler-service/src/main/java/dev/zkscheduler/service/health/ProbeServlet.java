package dev.zkscheduler.service.health;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * One probe on the admin port: runs the named health checks now and answers 200 when all are
 * healthy, else 503, with each check's result as JSON. A name that is not registered counts as
 * unhealthy, so a renamed check cannot make a probe pass by being absent.
 */
final class ProbeServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient HealthCheckRegistry registry;
  private final transient ObjectMapper json;
  private final List<String> checks;

  ProbeServlet(HealthCheckRegistry registry, ObjectMapper json, List<String> checks) {
    this.registry = registry;
    this.json = json;
    this.checks = List.copyOf(checks);
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Map<String, Map<String, Object>> results = new LinkedHashMap<>();
    boolean healthy = true;
    for (String name : checks) {
      HealthCheck.Result result;
      try {
        result = registry.runHealthCheck(name);
      } catch (NoSuchElementException e) {
        result = HealthCheck.Result.unhealthy("no health check named " + name);
      }
      healthy &= result.isHealthy();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("healthy", result.isHealthy());
      entry.put("message", result.getMessage());
      results.put(name, entry);
    }
    response.setStatus(healthy ? HttpServletResponse.SC_OK : 503);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
    json.writeValue(response.getOutputStream(), results);
  }
}
