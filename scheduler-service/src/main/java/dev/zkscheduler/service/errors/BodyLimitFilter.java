package dev.zkscheduler.service.errors;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses bodies over the limit with 413: at once when {@code Content-Length} says so, and while
 * reading when a chunked body grows past it. Runs before authentication and parsing.
 */
@Priority(Priorities.AUTHENTICATION - 100)
public final class BodyLimitFilter implements ContainerRequestFilter {

  private final int maxBytes;

  public BodyLimitFilter(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (request.getLength() > maxBytes) {
      // Read (and drop) a moderately oversized body before answering: a 413 sent while the client
      // is still writing is often lost to a connection reset (seen in CI). Beyond the cap the
      // connection is closed instead (DrainRequestBodyFilter says so).
      if (request.getLength() <= DRAIN_CAP) {
        drain(request.getEntityStream());
      }
      throw tooLarge();
    }
    request.setEntityStream(new Limited(request.getEntityStream()));
  }

  /** Oversized bodies up to this size are read before the 413, so the client surely gets it. */
  private static final long DRAIN_CAP = 4L * 1024 * 1024;

  private static void drain(InputStream in) {
    byte[] buffer = new byte[8192];
    try {
      while (in.read(buffer) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // The client went away: nothing to answer.
    }
  }

  private WebApplicationException tooLarge() {
    return new WebApplicationException(
        "request body over the limit of " + maxBytes + " bytes", 413);
  }

  private final class Limited extends FilterInputStream {
    private long read;

    Limited(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && ++read > maxBytes) {
        throw tooLarge();
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0 && (read += n) > maxBytes) {
        throw tooLarge();
      }
      return n;
    }
  }
}
