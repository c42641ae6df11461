package dev.zkscheduler.service.errors;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import java.io.IOException;
import java.io.InputStream;

/**
 * Leaves every connection in a state its client can trust. A body over the limit is refused unread
 * (413 from {@link BodyLimitFilter}), after which Jetty closes the connection: the response says
 * {@code Connection: close}, or a client reusing the connection would lose its next request (found
 * by {@code BadInputIT}). A smaller body a call did not read (a 404, 405 or 401 answered first) is
 * read and discarded, so the connection can carry the next request.
 */
@Priority(Priorities.USER)
public final class DrainRequestBodyFilter implements ContainerResponseFilter {

  private final int maxBytes;

  public DrainRequestBodyFilter(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getLength() > 4L * 1024 * 1024) {
      response.getHeaders().putSingle("Connection", "close");
      return;
    }
    byte[] buffer = new byte[8192];
    long total = 0;
    try {
      InputStream in = request.getEntityStream();
      if (in == null) {
        return;
      }
      int n;
      while ((n = in.read(buffer)) > 0) {
        total += n;
        if (total > maxBytes) {
          response.getHeaders().putSingle("Connection", "close");
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Already read and closed by the resource (the normal case), or unreadable: nothing left.
      return;
    }
  }
}
