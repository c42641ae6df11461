package dev.zkscheduler.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The few calls of the REST API (docs/api.md) that {@code apply} makes, as a client would make
 * them: every answer is returned as it came (status, ETag, JSON body), for the caller to judge.
 * Thread-safe.
 */
final class JobsClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** An answer: its status, its {@code ETag} (or null) and its JSON body (or null). */
  record Answer(int status, String etag, JsonNode body) {

    /** The answer's {@code message}, or its status when it has none. */
    String message() {
      return body != null && body.hasNonNull("message")
          ? body.get("message").asText()
          : "HTTP " + status;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String baseUrl;
  private final String token;

  JobsClient(String baseUrl, String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  /** Every job id on the server, in id order. */
  List<String> ids() throws IOException {
    List<String> ids = new ArrayList<>();
    String after = null;
    do {
      Answer page =
          send(
              "GET",
              "/api/v1/jobs?limit=1000"
                  + (after == null
                      ? ""
                      : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)),
              null,
              null);
      if (page.status() != 200) {
        throw new IOException("listing the jobs: " + page.message());
      }
      page.body().get("jobs").forEach(job -> ids.add(job.get("id").asText()));
      JsonNode next = page.body().get("next");
      after = next == null || next.isNull() ? null : next.asText();
    } while (after != null);
    return ids;
  }

  Answer get(String id) throws IOException {
    return send("GET", path(id), null, null);
  }

  Answer diff(String id, JsonNode job, String etag) throws IOException {
    return send("POST", path(id) + "/diff", job, etag);
  }

  Answer create(JsonNode job) throws IOException {
    return send("POST", "/api/v1/jobs", job, null);
  }

  Answer replace(String id, JsonNode job, String etag) throws IOException {
    return send("PUT", path(id), job, etag);
  }

  Answer delete(String id, String etag) throws IOException {
    return send("DELETE", path(id), null, etag);
  }

  private static String path(String id) {
    return "/api/v1/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  private Answer send(String method, String path, JsonNode body, String ifMatch)
      throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(TIMEOUT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      // A refused connection has no message of its own; say what was asked of whom.
      throw new IOException(
          method
              + " "
              + baseUrl
              + path
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    }
    JsonNode json = null;
    if (response.body().length > 0) {
      try {
        json = JSON.readTree(response.body());
      } catch (IOException notJson) {
        json = null;
      }
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new IOException(
          method
              + " "
              + path
              + ": "
              + new Answer(response.statusCode(), null, json).message()
              + " (check --token: apply needs an admin token)");
    }
    return new Answer(
        response.statusCode(), response.headers().firstValue("ETag").orElse(null), json);
  }
}
