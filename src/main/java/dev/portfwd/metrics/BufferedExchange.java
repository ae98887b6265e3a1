package dev.portfwd.metrics;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One request, read whole before any handler sees it, as the JDK's {@link HttpExchange} that the
 * dashboard's and the metrics' handlers are written against. The answer is kept in memory and
 * handed on, whole, when the exchange closes; a handler that closes without answering gets 500.
 */
final class BufferedExchange extends HttpExchange {

  /** What a handler answered: no body when {@code body} is null (HEAD, or a length of -1). */
  record Answer(int status, Headers headers, byte[] body) {}

  private final String method;
  private final URI uri;
  private final String protocol;
  private final Headers requestHeaders;
  private final InetSocketAddress local;
  private final InetSocketAddress remote;
  private final Consumer<Answer> done;
  private final Headers responseHeaders = new Headers();
  private final Map<String, Object> attributes = new HashMap<>();
  private InputStream in;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private OutputStream out = buffer;
  private int status = -1;
  private boolean noBody;
  private boolean closed;

  BufferedExchange(
      String method,
      URI uri,
      String protocol,
      Headers requestHeaders,
      byte[] body,
      InetSocketAddress local,
      InetSocketAddress remote,
      Consumer<Answer> done) {
    this.method = method;
    this.uri = uri;
    this.protocol = protocol;
    this.requestHeaders = requestHeaders;
    this.in = new ByteArrayInputStream(body);
    this.local = local;
    this.remote = remote;
    this.done = done;
  }

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders;
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return uri;
  }

  @Override
  public String getRequestMethod() {
    return method;
  }

  /** There are no contexts: {@link HttpEndpoint} routes exact paths itself. */
  @Override
  public HttpContext getHttpContext() {
    throw new UnsupportedOperationException("portfwd's listener has no HTTP contexts");
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (status < 0) {
      done.accept(new Answer(500, new Headers(), "internal error\n".getBytes()));
      return;
    }
    boolean head = method.equals("HEAD");
    done.accept(new Answer(status, responseHeaders, head || noBody ? null : buffer.toByteArray()));
  }

  @Override
  public InputStream getRequestBody() {
    return in;
  }

  @Override
  public OutputStream getResponseBody() {
    return out;
  }

  @Override
  public synchronized void sendResponseHeaders(int code, long length) throws IOException {
    if (status >= 0) {
      throw new IOException("the answer's headers were sent already");
    }
    if (code < 100 || code > 999) {
      throw new IllegalArgumentException("not an HTTP status: " + code);
    }
    status = code;
    noBody = length < 0;
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return remote;
  }

  @Override
  public int getResponseCode() {
    return status;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return local;
  }

  @Override
  public String getProtocol() {
    return protocol;
  }

  @Override
  public Object getAttribute(String name) {
    return attributes.get(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    attributes.put(name, value);
  }

  @Override
  public void setStreams(InputStream in, OutputStream out) {
    if (in != null) {
      this.in = in;
    }
    if (out != null) {
      this.out = out;
    }
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }
}
