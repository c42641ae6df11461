package dev.zkscheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zkscheduler.service.resources.CallerResource;
import dev.zkscheduler.service.resources.ClusterResource;
import dev.zkscheduler.service.resources.JobsResource;
import dev.zkscheduler.service.resources.OpenApiResource;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document names exactly the operations the resources serve, with their query
 * parameters and required roles; the ITs check the answers (see support.OpenApiContract).
 */
class OpenApiCoverageTest {

  private static final List<Class<?>> RESOURCES =
      List.of(
          JobsResource.class, ClusterResource.class, CallerResource.class, OpenApiResource.class);

  private static final Map<Class<? extends Annotation>, String> VERBS =
      Map.of(GET.class, "get", POST.class, "post", PUT.class, "put", DELETE.class, "delete");

  private static JsonNode document;

  @BeforeAll
  static void read() throws Exception {
    try (InputStream in = OpenApiResource.class.getResourceAsStream(OpenApiResource.DOCUMENT)) {
      document = new ObjectMapper().readTree(in);
    }
  }

  private record Operation(String verb, String path, Method method) {}

  private static List<Operation> served() {
    List<Operation> operations = new ArrayList<>();
    for (Class<?> resource : RESOURCES) {
      String base = resource.getAnnotation(Path.class).value();
      for (Method method : resource.getDeclaredMethods()) {
        VERBS.forEach(
            (annotation, verb) -> {
              if (method.isAnnotationPresent(annotation)) {
                Path sub = method.getAnnotation(Path.class);
                String path = sub == null ? base : base + "/" + sub.value();
                operations.add(new Operation(verb, path, method));
              }
            });
      }
    }
    return operations;
  }

  @Test
  void theDocumentIsOpenApi31() {
    assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
  }

  @Test
  void everyServedOperationIsDocumentedAndNothingElse() {
    TreeSet<String> servedOps = new TreeSet<>();
    served().forEach(op -> servedOps.add(op.verb() + " " + op.path()));
    TreeSet<String> documented = new TreeSet<>();
    document
        .path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        verb -> {
                          if (!verb.equals("parameters")) {
                            documented.add(verb + " " + path.getKey());
                          }
                        }));
    assertThat(documented).isEqualTo(servedOps);
  }

  @Test
  void everyQueryParameterAndRoleIsDocumented() {
    for (Operation op : served()) {
      JsonNode documented = document.path("paths").path(op.path()).path(op.verb());
      TreeSet<String> query = new TreeSet<>();
      for (Parameter parameter : op.method().getParameters()) {
        QueryParam q = parameter.getAnnotation(QueryParam.class);
        if (q != null) {
          query.add(q.value());
        }
      }
      TreeSet<String> documentedQuery = new TreeSet<>();
      documented
          .path("parameters")
          .forEach(
              p -> {
                if (p.path("in").asText().equals("query")) {
                  documentedQuery.add(p.path("name").asText());
                }
              });
      assertThat(documentedQuery).as(op.verb() + " " + op.path()).isEqualTo(query);
      RolesAllowed roles = op.method().getAnnotation(RolesAllowed.class);
      String role = roles == null ? "" : roles.value()[0].toLowerCase(Locale.ROOT);
      assertThat(documented.path("x-required-role").asText(""))
          .as(op.verb() + " " + op.path())
          .isEqualTo(role);
    }
  }
}
