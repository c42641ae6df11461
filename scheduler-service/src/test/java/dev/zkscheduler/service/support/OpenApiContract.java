package dev.zkscheduler.service.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks API responses against the service's OpenAPI document ({@code openapi.json}), so that the
 * document cannot drift from what the service answers: {@link ApiClient} runs every response of
 * every IT through {@link #check}.
 *
 * <p>A response must match a documented status of its operation (or the operation's {@code
 * default}), carry JSON when the document says it does, and that JSON must satisfy the schema. The
 * document lets clients ignore fields they do not know; the check is stricter: every object schema
 * that lists {@code properties} and says nothing about others is read as allowing no others, so a
 * field the service renamed or added without documenting it fails. Paths outside {@code /api/} (the
 * admin port, the console's files) are not part of the API and not checked; an {@code /api/} path
 * the document does not know must answer the documented error shape.
 *
 * <p>Thread-safe; compiled schemas are cached.
 */
public final class OpenApiContract {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonSchemaFactory SCHEMAS =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  /** Messages in English whatever the JVM's locale (the tests run in Turkish). */
  private static final SchemaValidatorsConfig ENGLISH =
      SchemaValidatorsConfig.builder().locale(Locale.ENGLISH).build();

  private static final OpenApiContract SERVICE = fromClasspath("/openapi.json");

  private final JsonNode document;
  private final JsonNode strictComponents;
  private final List<PathTemplate> paths = new ArrayList<>();
  private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();

  private record PathTemplate(String template, Pattern pattern, int literalChars) {}

  /** A response that breaks the document. */
  public static final class Violation extends AssertionError {
    private static final long serialVersionUID = 1L;

    Violation(String message) {
      super(message);
    }
  }

  public OpenApiContract(JsonNode document) {
    this.document = document;
    this.strictComponents = strict(document.path("components").deepCopy());
    document
        .path("paths")
        .fieldNames()
        .forEachRemaining(
            t ->
                paths.add(
                    new PathTemplate(
                        t,
                        Pattern.compile(
                            Pattern.quote(t).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q")),
                        t.replaceAll("\\{[^}/]+}", "").length())));
    // The most specific template first: /jobs/{id}/runs before /jobs/{id}.
    paths.sort((a, b) -> Integer.compare(b.literalChars(), a.literalChars()));
  }

  /** The document the service serves. */
  public static OpenApiContract service() {
    return SERVICE;
  }

  public static OpenApiContract fromClasspath(String resource) {
    try (InputStream in = OpenApiContract.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no " + resource + " on the classpath");
      }
      return new OpenApiContract(MAPPER.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param path the request path, with or without a query
   * @param contentType the response's {@code Content-Type}, or null
   * @param body the response body as text, empty when there is none
   * @throws Violation naming the call and what in the answer the document does not allow
   */
  public void check(String method, String path, int status, String contentType, String body) {
    // Jersey answers /api/v1/jobs/ as /api/v1/jobs.
    String bare = path.split("\\?", 2)[0].replaceAll("(.)/+$", "$1");
    if (!bare.startsWith("/api/")) {
      return;
    }
    String call = method + " " + path + " -> " + status;
    JsonNode responses = operation(method, bare).path("responses");
    JsonNode response = responses.get(Integer.toString(status));
    if (response == null) {
      response = responses.get("default");
    }
    if (response == null) {
      throw new Violation(call + ": the document lists no such status for this call");
    }
    response = resolve(response);
    JsonNode schema = response.path("content").path("application/json").path("schema");
    if (schema.isMissingNode() || method.equalsIgnoreCase("HEAD")) {
      return;
    }
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new Violation(call + ": Content-Type " + contentType + ", documented application/json");
    }
    JsonNode json;
    try {
      json = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new Violation(call + ": the body is not JSON: " + body);
    }
    if (json == null || json.isMissingNode()) {
      throw new Violation(call + ": no body, documented " + schema);
    }
    Set<ValidationMessage> problems = schema(schema).validate(json);
    if (!problems.isEmpty()) {
      throw new Violation(call + ": the body breaks the document: " + problems + "\nbody: " + body);
    }
  }

  /** The operation for the call; an unknown path or method answers by the shared error shape. */
  private JsonNode operation(String method, String path) {
    for (PathTemplate template : paths) {
      if (template.pattern().matcher(path).matches()) {
        JsonNode operation =
            document.path("paths").path(template.template()).get(method.toLowerCase(Locale.ROOT));
        if (operation != null) {
          return operation;
        }
        break;
      }
    }
    ObjectNode errorOnly = MAPPER.createObjectNode();
    errorOnly.putObject("responses").set("default", document.at("/components/responses/Error"));
    return errorOnly;
  }

  private JsonNode resolve(JsonNode node) {
    while (node.has("$ref")) {
      node = document.at(node.get("$ref").asText().substring(1));
    }
    return node;
  }

  /** A schema that resolves {@code #/components/...} against the strict copy of the document. */
  private JsonSchema schema(JsonNode schema) {
    return compiled.computeIfAbsent(
        schema.toString(),
        key -> {
          ObjectNode root = MAPPER.createObjectNode();
          root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
          root.putArray("allOf").add(strict(schema.deepCopy()));
          root.set("components", strictComponents);
          return SCHEMAS.getSchema(root, ENGLISH);
        });
  }

  /** Every object schema with {@code properties} and no word on others allows no others. */
  private static JsonNode strict(JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      if (object.has("properties") && !object.has("additionalProperties")) {
        object.put("additionalProperties", false);
      }
      for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
        strict(it.next());
      }
    } else if (node.isArray()) {
      node.forEach(OpenApiContract::strict);
    }
    return node;
  }
}
