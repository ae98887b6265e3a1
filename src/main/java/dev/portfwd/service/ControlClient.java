package dev.portfwd.service;

import dev.portfwd.service.ControlFrames.Frame;
import dev.portfwd.service.ControlServer.Request;
import dev.portfwd.state.StateDir;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The CLI's side of the control socket: when a service runs for the same state directory, the
 * commands it serves ({@link #SERVED}) are sent to it and their output and exit code are the
 * service's; otherwise the command runs in this process as before. Kept free of picocli and of the
 * compiler so that the client's start stays small: the service has them warm.
 *
 * <p>{@code --direct} always runs the command here; so do {@code --help} and {@code --version}.
 */
public final class ControlClient {

  /** The socket the service listens on unless told otherwise. */
  public static final String DEFAULT_SOCKET = "/run/portfwd/portfwd.sock";

  /** The environment variable naming another socket (tests use their own). */
  public static final String ENV = "PORTFWD_CONTROL";

  /** The commands the service runs for the CLI. */
  public static final Set<String> SERVED =
      Set.of("plan", "apply", "confirm", "rollback", "remove", "status", "doctor");

  private static final Set<String> LOCAL_FLAGS =
      Set.of("--direct", "-h", "--help", "-V", "--version");

  private ControlClient() {}

  /**
   * Runs {@code args} through the service when one serves them.
   *
   * @return the exit code, or empty when the command is to run in this process
   */
  public static OptionalInt run(
      String[] args,
      Map<String, String> environment,
      InputStream in,
      PrintStream out,
      PrintStream err) {
    if (args.length == 0 || !SERVED.contains(args[0])) {
      return OptionalInt.empty();
    }
    List<String> argv = Arrays.asList(args);
    if (argv.stream().anyMatch(LOCAL_FLAGS::contains)) {
      return OptionalInt.empty();
    }
    Path cwd = Path.of("").toAbsolutePath();
    Path socket =
        option(argv, "--control")
            .or(() -> Optional.ofNullable(environment.get(ENV)).filter(s -> !s.isBlank()))
            .map(cwd::resolve)
            .orElse(Path.of(DEFAULT_SOCKET));
    if (!Files.exists(socket)) {
      return OptionalInt.empty();
    }
    Path stateDir =
        StateDir.resolve(option(argv, "--state-dir").map(cwd::resolve), environment).normalize();
    boolean colour =
        System.console() != null
            && environment.get("NO_COLOR") == null
            && !"dumb".equals(environment.getOrDefault("TERM", "dumb"));
    Request request = new Request(argv, cwd, stateDir, colour);
    SocketChannel channel;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return OptionalInt.empty(); // no service listens (a stale socket file): run here
    }
    try (channel) {
      OutputStream toService = ChannelStreams.out(channel);
      InputStream fromService = new BufferedInputStream(ChannelStreams.in(channel));
      try {
        ControlFrames.write(toService, request.line());
        if (readsStandardInput(argv)) {
          Thread pump = new Thread(() -> pumpStandardInput(in, toService), "portfwd-stdin");
          pump.setDaemon(true); // a terminal read must not keep the client alive after the answer
          pump.start();
        } else {
          ControlFrames.write(toService, ControlFrames.line("stdinClosed", true));
        }
      } catch (IOException e) {
        // The service closed early (busy, or it refused the request): its answer says why.
      }
      return answer(fromService, out, err);
    } catch (IOException e) {
      err.println(
          // A service killed mid-request shows as a reset as often as an end: the same for users.
          "portfwd: the portfwd service ended during the request (the connection failed: "
              + e.getMessage()
              + "); the kernel holds the old or the new rules, never a mix: 'portfwd status"
              + " --direct' shows which");
      return OptionalInt.of(1);
    }
  }

  /** The service's answer, copied to {@code out} and {@code err}; empty when told to run here. */
  private static OptionalInt answer(InputStream fromService, PrintStream out, PrintStream err)
      throws IOException {
    while (true) {
      Optional<Frame> next = ControlFrames.read(fromService);
      if (next.isEmpty()) {
        err.println(
            "portfwd: the portfwd service ended during the request; the kernel holds the old or the"
                + " new rules, never a mix: 'portfwd status --direct' shows which");
        return OptionalInt.of(1);
      }
      Frame frame = next.get();
      if (frame.string("out").isPresent()) {
        out.print(frame.string("out").get());
        out.flush();
      } else if (frame.string("err").isPresent()) {
        err.print(frame.string("err").get());
        err.flush();
      } else if (frame.number("exit").isPresent()) {
        return OptionalInt.of((int) (long) frame.number("exit").get());
      } else if (frame.string("direct").isPresent()) {
        return OptionalInt.empty();
      } else if (frame.string("error").isPresent()) {
        err.println(
            "portfwd: the portfwd service refused the request: " + frame.string("error").get());
        return OptionalInt.of(1);
      }
    }
  }

  /**
   * Only commands that may read standard input get it: reading a terminal from a background job
   * would stop the job (SIGTTIN).
   */
  private static boolean readsStandardInput(List<String> argv) {
    return argv.contains("-")
        || ((argv.get(0).equals("apply") || argv.get(0).equals("rollback"))
            && argv.stream().anyMatch(a -> a.startsWith("--confirm")));
  }

  private static void pumpStandardInput(InputStream in, OutputStream toService) {
    char[] buffer = new char[8192];
    // Decoded as a stream, so a character split between two reads stays whole.
    Reader text = new InputStreamReader(in, StandardCharsets.UTF_8);
    try {
      for (int n = text.read(buffer); n >= 0; n = text.read(buffer)) {
        if (n > 0) {
          ControlFrames.write(toService, ControlFrames.line("stdin", new String(buffer, 0, n)));
        }
      }
      ControlFrames.write(toService, ControlFrames.line("stdinClosed", true));
    } catch (IOException e) {
      // The request ended, or standard input failed: the service sees the input end.
    }
  }

  /** The value of {@code name VALUE} or {@code name=VALUE} in {@code argv}. */
  private static Optional<String> option(List<String> argv, String name) {
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).equals(name) && i + 1 < argv.size()) {
        return Optional.of(argv.get(i + 1));
      }
      if (argv.get(i).startsWith(name + "=")) {
        return Optional.of(argv.get(i).substring(name.length() + 1));
      }
    }
    return Optional.empty();
  }

  /** True when a service accepts connections on {@code socket}. */
  static boolean listening(Path socket) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
