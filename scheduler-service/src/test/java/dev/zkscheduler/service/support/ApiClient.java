package dev.zkscheduler.service.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A small client for the service's REST API, as a test would use curl. Every answer is checked
 * against the OpenAPI document ({@link OpenApiContract}) before the test sees it, so an IT that
 * receives an undocumented answer fails even if it never looks at that field.
 */
public final class ApiClient {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String baseUrl;
  private final String token;
  private final Duration timeout;

  public ApiClient(String baseUrl, String token) {
    this(baseUrl, token, Duration.ofSeconds(30));
  }

  private ApiClient(String baseUrl, String token, Duration timeout) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.timeout = timeout;
  }

  /** The same server with another bearer token (null: none). */
  public ApiClient as(String otherToken) {
    return new ApiClient(baseUrl, otherToken, timeout);
  }

  /** The same server and token, with another request timeout. */
  public ApiClient withTimeout(Duration requestTimeout) {
    return new ApiClient(baseUrl, token, requestTimeout);
  }

  public String baseUrl() {
    return baseUrl;
  }

  public Response get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Response post(String path, String body) {
    return send("POST", path, body, Map.of());
  }

  public Response put(String path, String body, Map<String, String> headers) {
    return send("PUT", path, body, headers);
  }

  public Response delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  public Response send(String method, String path, String body, Map<String, String> headers) {
    return sendBytes(method, path, body == null ? null : body.getBytes(), headers);
  }

  public Response sendBytes(String method, String path, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(timeout)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null
        && headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      OpenApiContract.service()
          .check(
              method,
              response.uri().getRawPath()
                  + (response.uri().getRawQuery() == null
                      ? ""
                      : "?" + response.uri().getRawQuery()),
              response.statusCode(),
              response.headers().firstValue("Content-Type").orElse(null),
              response.body());
      return new Response(response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A response: status, headers and the body as text and as JSON (null when not JSON). */
  public static final class Response {
    private final HttpResponse<String> raw;
    private final JsonNode json;

    Response(HttpResponse<String> raw) {
      this.raw = raw;
      JsonNode parsed;
      try {
        parsed = raw.body().isEmpty() ? null : MAPPER.readTree(raw.body());
      } catch (IOException e) {
        parsed = null;
      }
      this.json = parsed;
    }

    public int status() {
      return raw.statusCode();
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String body() {
      return raw.body();
    }

    public JsonNode json() {
      return json;
    }

    @Override
    public String toString() {
      return raw.request().method()
          + " "
          + raw.uri()
          + " -> "
          + raw.statusCode()
          + " "
          + raw.body();
    }
  }
}
