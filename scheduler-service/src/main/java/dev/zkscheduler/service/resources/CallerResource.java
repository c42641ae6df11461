package dev.zkscheduler.service.resources;

import dev.zkscheduler.service.api.CallerDto;
import dev.zkscheduler.service.auth.Caller;
import dev.zkscheduler.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Locale;

/**
 * {@code GET /api/v1/whoami}: the name and role of the token that made the call, so that a client
 * (the console) can offer exactly the actions the role allows. With auth disabled every call is
 * allowed, which this answers as an anonymous admin.
 */
@Path("/api/v1/whoami")
@Produces(MediaType.APPLICATION_JSON)
public final class CallerResource {

  @GET
  @RolesAllowed(Role.VIEWER_NAME)
  public CallerDto whoami(@Context SecurityContext security) {
    Caller caller = Caller.of(security);
    return new CallerDto(caller.name(), caller.role().name().toLowerCase(Locale.ROOT));
  }
}
