package dev.zkscheduler.service.resources;

import dev.zkscheduler.Scheduler;
import dev.zkscheduler.service.api.ClusterDto;
import dev.zkscheduler.service.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/cluster}: the leader, the epoch, this node and the live members. */
@Path("/api/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public final class ClusterResource {

  private final Scheduler scheduler;

  public ClusterResource(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  @GET
  @RolesAllowed(Role.VIEWER_NAME)
  public ClusterDto cluster() {
    return ClusterDto.from(scheduler.cluster());
  }
}
