package dev.zkscheduler.service.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 document of this API, unauthenticated, so that
 * client generators and gateways can fetch it without a token. It is read once from the classpath
 * (the same file the repository holds) and served as is.
 */
@Path("/api/v1/openapi.json")
public final class OpenApiResource {

  /** The document's classpath location. */
  public static final String DOCUMENT = "/openapi.json";

  private final byte[] document;

  public OpenApiResource() {
    try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException("the classpath has no " + DOCUMENT);
      }
      this.document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public byte[] document() {
    return document.clone();
  }
}
