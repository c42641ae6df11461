package dev.zkscheduler.service.auth;

import dev.zkscheduler.service.api.ErrorDto;
import io.dropwizard.auth.UnauthorizedHandler;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** A 401 with the API's JSON error body, where Dropwizard's default would answer plain text. */
public final class JsonUnauthorizedHandler implements UnauthorizedHandler {

  @Override
  public Response buildResponse(String prefix, String realm) {
    return Response.status(401)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .header("WWW-Authenticate", "Bearer realm=\"zk-scheduler\"")
        .entity(ErrorDto.of(401, "missing or unknown bearer token"))
        .build();
  }
}
