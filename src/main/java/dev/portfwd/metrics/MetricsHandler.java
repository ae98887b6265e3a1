package dev.portfwd.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the {@code Accept} header
 * asks for it, written by the Prometheus client library. Needs no authentication, as
 * node_exporter's.
 */
public final class MetricsHandler implements HttpHandler {

  private final Supplier<MetricSnapshots> metrics;
  private final ExpositionFormats formats = ExpositionFormats.init();

  public MetricsHandler(Supplier<MetricSnapshots> metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      exchange.getResponseHeaders().set("Allow", "GET, HEAD");
      HttpEndpoint.text(exchange, 405, "GET or HEAD only\n");
      return;
    }
    ExpositionFormatWriter writer = writer(exchange.getRequestHeaders().getFirst("Accept"));
    ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
    writer.write(body, metrics.get());
    exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
    if (method.equals("HEAD")) {
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    exchange.sendResponseHeaders(200, body.size());
    try (OutputStream out = exchange.getResponseBody()) {
      body.writeTo(out);
    }
  }

  /** The library's choice for {@code accept}; text when it asks for a format not built in. */
  ExpositionFormatWriter writer(String accept) {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    return writer.isAvailable() ? writer : formats.getPrometheusTextFormatWriter();
  }
}
