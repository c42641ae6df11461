package dev.zkscheduler.service.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zkscheduler.Scheduler;
import dev.zkscheduler.service.api.ApiJson;
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
  private final ApiJson json;

  public ClusterResource(Scheduler scheduler, ApiJson json) {
    this.scheduler = scheduler;
    this.json = json;
  }

  @GET
  @RolesAllowed(Role.VIEWER_NAME)
  public ObjectNode cluster() {
    return json.cluster(scheduler.cluster());
  }
}
