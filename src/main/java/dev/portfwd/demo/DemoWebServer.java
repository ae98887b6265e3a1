package dev.portfwd.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The demo's web server, started by {@link Demo} inside the backend namespace ({@code ip netns exec
 * … java -cp portfwd.jar dev.portfwd.demo.DemoWebServer PORT}). It tells each client the address it
 * saw, which shows masquerade at work. It stops by itself after two minutes in case nobody stops
 * it.
 */
public final class DemoWebServer {

  private DemoWebServer() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = Integer.parseInt(args[0]);
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
    server.createContext(
        "/",
        exchange -> {
          byte[] body =
              ("hello from the backend; you came from "
                      + exchange.getRemoteAddress().getAddress().getHostAddress()
                      + "\n")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    Thread.sleep(120_000);
    server.stop(0);
  }
}
