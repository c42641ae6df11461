package dev.zkscheduler.service.audit;

import dev.zkscheduler.service.api.JobDto;
import dev.zkscheduler.service.api.RunIdDto;
import dev.zkscheduler.service.api.RunIdsDto;
import dev.zkscheduler.service.auth.Caller;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MultivaluedMap;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line on the logger {@value #LOGGER} for every call of an {@link Audited} resource method,
 * whatever its outcome: who ({@code by}, the token's name, and {@code role}), what ({@code action},
 * {@code job}, {@code run} or {@code runs}), the job's resulting {@code version} when the answer
 * names one, and the {@code outcome}: {@code ok}, {@code refused} with a {@code reason} (the class
 * of refusal, such as {@code forbidden} or {@code invalid}), or {@code failed}. Written when the
 * answer is, so a refusal by authentication, authorization, validation or a version check is logged
 * like a success. No body is logged, nor any header: what a job's definition says (its secrets
 * included) never reaches the audit log; docs/operations.md shows how to route the logger to its
 * own file.
 *
 * <p>Values that are not plain names (a job id in a URL may hold anything) are quoted with their
 * control characters escaped, so a line cannot be forged by a crafted id. Thread-safe.
 */
public final class AuditLog implements ContainerResponseFilter {

  /** The audit logger's name: separate from {@code dev.zkscheduler.service} on purpose. */
  public static final String LOGGER = "dev.zkscheduler.audit";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:@/+-]{1,200}");

  private final boolean authEnabled;

  @Context private ResourceInfo resource;

  /**
   * @param authEnabled whether calls carry a token: if so, one without a caller was refused before
   *     it was authenticated; if not, every caller is {@link Caller#ANONYMOUS}
   */
  public AuditLog(boolean authEnabled) {
    this.authEnabled = authEnabled;
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    Method method = resource == null ? null : resource.getResourceMethod();
    Audited audited = method == null ? null : method.getAnnotation(Audited.class);
    if (audited == null) {
      return;
    }
    log.info(line(audited.value(), request, response));
  }

  private String line(
      String action, ContainerRequestContext request, ContainerResponseContext response) {
    int status = response.getStatus();
    Object entity = response.getEntity();
    MultivaluedMap<String, String> path = request.getUriInfo().getPathParameters();
    StringBuilder line = new StringBuilder("audit");
    field(line, "action", action);
    String job = path.getFirst("id");
    if (job == null && entity instanceof JobDto created) {
      job = created.id();
    }
    field(line, "job", job);
    runs(line, path.getFirst("runId"), entity);
    who(line, request, status);
    EntityTag version = response.getEntityTag();
    if (version != null && status < 300) {
      field(line, "version", version.getValue());
    }
    if (status < 300) {
      field(line, "outcome", "ok");
    } else if (status < 500) {
      field(line, "outcome", "refused");
      field(line, "reason", reason(status));
    } else {
      field(line, "outcome", "failed");
      field(line, "reason", status == 503 ? "unavailable" : "error");
    }
    field(line, "status", Integer.toString(status));
    return line.toString();
  }

  private static void runs(StringBuilder line, String pathRun, Object entity) {
    if (pathRun != null) {
      field(line, "run", pathRun);
    } else if (entity instanceof RunIdDto run) {
      field(line, "run", run.runId());
    } else if (entity instanceof RunIdsDto backfill) {
      List<String> ids = backfill.runIds();
      field(line, "runs", Integer.toString(ids.size()));
      if (!ids.isEmpty()) {
        field(line, "firstRun", ids.get(0));
        field(line, "lastRun", ids.get(ids.size() - 1));
      }
    }
  }

  /** A call refused before it was authenticated has no caller ({@code by=-}). */
  private void who(StringBuilder line, ContainerRequestContext request, int status) {
    if (authEnabled && !(request.getSecurityContext().getUserPrincipal() instanceof Caller)) {
      field(line, "by", null);
      field(line, "role", null);
      return;
    }
    Caller caller = Caller.of(request.getSecurityContext());
    field(line, "by", caller.name());
    field(line, "role", caller.role().name().toLowerCase(Locale.ROOT));
  }

  /** The class of a refusal, from the status that docs/api.md gives it. */
  static String reason(int status) {
    return switch (status) {
      case 400 -> "malformed";
      case 401 -> "unauthenticated";
      case 403 -> "forbidden";
      case 404 -> "not-found";
      case 409 -> "conflict";
      case 412 -> "if-match-failed";
      case 413 -> "too-large";
      case 415 -> "unsupported-media-type";
      case 422 -> "invalid";
      case 429 -> "too-many-requests";
      default -> "status-" + status;
    };
  }

  private static void field(StringBuilder line, String name, String value) {
    line.append(' ').append(name).append('=').append(value == null ? "-" : quoted(value));
  }

  /** Plain names as they are; anything else in double quotes with quotes and controls escaped. */
  static String quoted(String value) {
    if (PLAIN.matcher(value).matches()) {
      return value;
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
