package dev.portfwd.demo;

import dev.portfwd.backend.ForwardChange;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.Applied;
import dev.portfwd.engine.ApplyRequest;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.EngineException;
import dev.portfwd.engine.LiveStatus;
import dev.portfwd.host.CommandResult;
import dev.portfwd.nft.NftBackend;
import dev.portfwd.nft.NftCommandKernel;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code portfwd demo}: the original problem and its fix, end to end, in throwaway namespaces.
 * Starts a web server on the backend, shows the client's request failing, applies the shipped table
 * ({@code examples/demo-ports.txt}) in the gateway with the real nftables backend, shows the
 * request answered, prints status, and deletes everything (also on Ctrl-C).
 */
public final class Demo {

  /** The shipped table, also in {@code examples/demo-ports.txt} (a test keeps the two equal). */
  public static final String TABLE_RESOURCE = "/dev/portfwd/demo/demo-ports.txt";

  private static final int WEB_PORT = 80;
  private static final int FORWARDED_PORT = 8080;

  private final PrintWriter out;
  private final Function<LiveStatus, String> statusText;

  /** {@code statusText} prints forwards as {@code portfwd status} does. */
  public Demo(PrintWriter out, Function<LiveStatus, String> statusText) {
    this.out = out;
    this.statusText = statusText;
  }

  /** The shipped demo table's text. */
  public static String table() {
    try (InputStream in = Demo.class.getResourceAsStream(TABLE_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the demo. Returns true when the forwarded request was answered.
   *
   * @throws IOException when the namespaces or the web server cannot be set up
   * @throws EngineException when nft rejects the table
   */
  public boolean run() throws IOException, EngineException, InterruptedException {
    DesiredState desired = compile();
    step(
        "building throwaway namespaces: client "
            + DemoNetwork.CLIENT
            + " ── gateway "
            + DemoNetwork.GATEWAY_WAN
            + " | "
            + DemoNetwork.GATEWAY_VPN
            + " ── backend "
            + DemoNetwork.BACKEND);
    try (DemoNetwork network = DemoNetwork.create()) {
      out.println(
          "   (namespaces "
              + network.namespace("client")
              + ", …-gateway, …-backend; the backend's"
              + " default route leads elsewhere, as behind a VPN)");
      startWebServer(network);
      step(
          "client: GET http://"
              + DemoNetwork.GATEWAY_WAN
              + ":"
              + FORWARDED_PORT
              + "/  (no forwarding yet)");
      out.println("   " + request(network));

      step("portfwd apply examples/demo-ports.txt  (inside the gateway namespace)");
      Path stateDir = Files.createTempDirectory("portfwd-demo-state");
      try {
        Engine engine =
            Engine.forHost(
                new NftBackend(new NftCommandKernel(network.runner("gateway"))),
                network.runner("gateway"),
                new StateStore(stateDir),
                Engine.NO_TIMER,
                line -> out.println("   " + line));
        Applied applied =
            engine.apply(
                new ApplyRequest(
                    desired,
                    "examples/demo-ports.txt",
                    /* useRecord= */ true,
                    /* managesSysctls= */ true,
                    Optional.empty()));
        for (ForwardChange change : applied.plan().changes()) {
          out.println("   " + change.describe());
        }
        applied.notes().forEach(note -> out.println("   " + note));
        applied.warnings().forEach(warning -> out.println("   warning: " + warning));

        step("client: GET http://" + DemoNetwork.GATEWAY_WAN + ":" + FORWARDED_PORT + "/  again");
        String answer = request(network);
        out.println("   " + answer);
        out.println(
            "   (the backend saw the gateway's VPN address: masquerade sends its reply back through"
                + " the tunnel)");

        step("portfwd status  (inside the gateway namespace)");
        statusText.apply(engine.liveStatus()).lines().forEach(l -> out.println("   " + l));

        step("deleting the namespaces");
        out.flush();
        return answer.startsWith("answered");
      } finally {
        deleteTree(stateDir);
      }
    } finally {
      out.println("   done: nothing of the demo is left");
      out.flush();
    }
  }

  private int steps;

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  private void step(String text) {
    out.println(++steps + ". " + text);
    out.flush();
  }

  private static DesiredState compile() {
    ParseResult parsed = TableParser.parse("demo-ports.txt", table());
    try {
      return Compiler.compile(parsed.table());
    } catch (CompileException e) {
      throw new IllegalStateException("the shipped demo table is broken: " + e.getMessage(), e);
    }
  }

  private void startWebServer(DemoNetwork network) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = codeSource();
    network.spawn(
        "backend",
        List.of(
            java,
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            classpath,
            DemoWebServer.class.getName(),
            Integer.toString(WEB_PORT)));
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < deadline) {
      CommandResult ss =
          network.runner("backend").run(List.of("ss", "-Hltn", "sport", "= :" + WEB_PORT));
      if (ss.succeeded() && !ss.stdout().isBlank()) {
        out.println(
            "   web server listening on the backend, " + DemoNetwork.BACKEND + ":" + WEB_PORT);
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException("the demo web server did not start in the backend namespace");
  }

  private static String codeSource() {
    try {
      return Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One HTTP request from the client with bash's /dev/tcp (no curl needed), bounded by timeout. */
  private static String request(DemoNetwork network) throws IOException {
    CommandResult result =
        network
            .runner("client")
            .run(
                List.of(
                    "timeout",
                    "5",
                    "bash",
                    "-c",
                    "exec 3<>/dev/tcp/"
                        + DemoNetwork.GATEWAY_WAN
                        + "/"
                        + FORWARDED_PORT
                        + " && printf 'GET / HTTP/1.0\\r\\nHost: gateway\\r\\n\\r\\n' >&3 && cat <&3"));
    if (!result.succeeded() || result.stdout().isBlank()) {
      String why =
          result.exitCode() == 124
              ? "timed out"
              : result.stderr().contains("refused")
                  ? "connection refused (nothing listens on the gateway)"
                  : result.stderr().strip();
      return "failed: " + why;
    }
    String response = result.stdout().replace("\r", "");
    String status = response.lines().findFirst().orElse("");
    int body = response.indexOf("\n\n");
    return "answered: " + status + ": " + (body < 0 ? "" : response.substring(body + 2).strip());
  }
}
