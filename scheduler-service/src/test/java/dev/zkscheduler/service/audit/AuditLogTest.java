package dev.zkscheduler.service.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zkscheduler.service.resources.CallerResource;
import dev.zkscheduler.service.resources.ClusterResource;
import dev.zkscheduler.service.resources.JobsResource;
import dev.zkscheduler.service.resources.OpenApiResource;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which calls the audit log covers, and how it writes values (AuditIT checks whole lines). */
class AuditLogTest {

  /** Calls that write nothing although they are not GETs. */
  private static final Set<String> READ_ONLY = Set.of("JobsResource.diff");

  @Test
  void everyCallThatCanChangeStateIsAudited() {
    List<String> unaudited = new ArrayList<>();
    List<String> audited = new ArrayList<>();
    for (Class<?> resource :
        List.of(
            JobsResource.class,
            ClusterResource.class,
            CallerResource.class,
            OpenApiResource.class)) {
      for (Method method : resource.getDeclaredMethods()) {
        boolean writes =
            method.isAnnotationPresent(POST.class)
                || method.isAnnotationPresent(PUT.class)
                || method.isAnnotationPresent(DELETE.class);
        String name = resource.getSimpleName() + "." + method.getName();
        if (method.isAnnotationPresent(Audited.class)) {
          audited.add(method.getAnnotation(Audited.class).value());
        } else if (writes && !READ_ONLY.contains(name)) {
          unaudited.add(name);
        }
      }
    }
    assertThat(unaudited).isEmpty();
    assertThat(audited)
        .containsExactlyInAnyOrder(
            "create", "update", "delete", "pause", "resume", "trigger", "backfill", "cancel");
  }

  @Test
  void plainNamesStandAsTheyAreAnythingElseIsQuotedAndEscaped() {
    assertThat(AuditLog.quoted("nightly-report.v2")).isEqualTo("nightly-report.v2");
    assertThat(AuditLog.quoted("20261125T101500.123Z-m-3f2a9c"))
        .isEqualTo("20261125T101500.123Z-m-3f2a9c");
    assertThat(AuditLog.quoted("a b")).isEqualTo("\"a b\"");
    assertThat(AuditLog.quoted("x\naudit action=delete"))
        .isEqualTo("\"x\\u000aaudit action=delete\"");
    assertThat(AuditLog.quoted("say \"hi\"\\")).isEqualTo("\"say \\\"hi\\\"\\\\\"");
    assertThat(AuditLog.quoted("")).isEqualTo("\"\"");
  }

  @Test
  void refusalsAreNamedByClass() {
    assertThat(AuditLog.reason(403)).isEqualTo("forbidden");
    assertThat(AuditLog.reason(412)).isEqualTo("if-match-failed");
    assertThat(AuditLog.reason(422)).isEqualTo("invalid");
    assertThat(AuditLog.reason(418)).isEqualTo("status-418");
  }
}
