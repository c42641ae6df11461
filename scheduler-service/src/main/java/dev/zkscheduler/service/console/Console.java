package dev.zkscheduler.service.console;

import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;

/**
 * The web console: static pages under {@code /console/} (classpath {@code /console}) that call the
 * REST API with the user's bearer token. The service serves it itself, so it works without internet
 * access and shares the API's origin, which lets its security policy allow only that.
 */
public final class Console {

  /** Where the console is served. */
  public static final String PATH = "/console";

  private Console() {}

  /** Adds the static files; call from {@code Application.initialize}. */
  public static void addAssets(Bootstrap<?> bootstrap) {
    bootstrap.addBundle(new AssetsBundle("/console", PATH, "index.html", "console"));
  }

  /** Adds the security headers to every console response; call from {@code Application.run}. */
  public static void addHeaders(Environment environment) {
    environment
        .servlets()
        .addFilter("console-headers", new ConsoleHeadersFilter())
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, PATH + "/*");
  }
}
