package dev.zkscheduler.service.errors;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches the API (an illegal URI, a malformed
 * request line, headers too large), in the JSON error shape of docs/api.md instead of Jetty's HTML
 * page or an empty body, whatever the method.
 */
public final class JsonErrorHandler extends ErrorHandler {

  /**
   * Every method gets the JSON document: Jetty's default writes an error body only for GET, POST
   * and HEAD, so a PUT or DELETE on an ambiguous path ({@code /api/v1/jobs/%2E%2E}) got an empty
   * 400 (found by {@code BadInputIT}).
   */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    // Jetty may close the connection after an error it answers itself (an illegal URI, say); say
    // so, or a client that reuses the connection loses its next request.
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    // Jetty closes the connection after a bad message; say so, or a client may reuse it.
    fields.put(new HttpField(HttpHeader.CONNECTION, "close"));
    return ByteBuffer.wrap(body(status, reason));
  }

  static byte[] body(int code, String message) {
    String text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
    String json =
        "{\"code\":"
            + code
            + ",\"message\":\""
            + new String(JsonStringEncoder.getInstance().quoteAsString(text))
            + "\"}";
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
