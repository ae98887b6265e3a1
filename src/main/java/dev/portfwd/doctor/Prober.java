package dev.portfwd.doctor;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import java.io.IOException;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Opens one TCP connection from the gateway to each TCP backend, bounded by a short timeout. The
 * connection is made by a program run through the {@link CommandRunner} ({@code socat}, else bash's
 * {@code /dev/tcp} under {@code timeout}) so it starts in the gateway's own network namespace, as
 * the forwarded connection would. Only the handshake happens: nothing is sent. UDP backends are not
 * probed: a datagram proves nothing without an answer the service may never send.
 */
public final class Prober {

  /** At most this many backends are probed, so a huge table cannot keep doctor busy for long. */
  static final int MAX_PROBES = 64;

  private static final int PARALLEL = 4;

  /** What a probe may take beyond its own timeout (starting socat or bash) before it is killed. */
  private static final long PROBE_SLACK_SECONDS = 5;

  private final CommandRunner runner;
  private final Duration timeout;

  public Prober(CommandRunner runner, Duration timeout) {
    this.runner = runner;
    this.timeout = timeout;
  }

  /** Probes every TCP backend of {@code table} (the first port of a range) and lists UDP ones. */
  public List<ProbeResult> probe(ForwardTable table) {
    List<ProbeResult> results = new ArrayList<>();
    List<Forward> tcp = new ArrayList<>();
    for (Forward forward : table.forwards()) {
      if (forward.carries(Protocol.TCP)) {
        tcp.add(forward);
      }
      if (forward.carries(Protocol.UDP)) {
        results.add(
            new ProbeResult(
                forward,
                Protocol.UDP,
                forward.backendPorts().first(),
                ProbeResult.Outcome.UNPROVABLE,
                Duration.ZERO,
                ""));
      }
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            PARALLEL,
            task -> {
              Thread thread = new Thread(task, "probe");
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<Future<ProbeResult>> futures = new ArrayList<>();
      for (Forward forward : tcp.subList(0, Math.min(tcp.size(), MAX_PROBES))) {
        futures.add(pool.submit(() -> connect(forward)));
      }
      for (Future<ProbeResult> future : futures) {
        results.add(future.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    for (Forward forward : tcp.subList(Math.min(tcp.size(), MAX_PROBES), tcp.size())) {
      results.add(
          new ProbeResult(
              forward,
              Protocol.TCP,
              forward.backendPorts().first(),
              ProbeResult.Outcome.UNKNOWN,
              Duration.ZERO,
              "not probed: only the first " + MAX_PROBES + " TCP backends are"));
    }
    return results;
  }

  private ProbeResult connect(Forward forward) {
    int port = forward.backendPorts().first();
    String address = Addresses.format(forward.backend());
    long seconds = Math.max(1, timeout.toSeconds());
    List<String> argv;
    if (runner.isInstalled("socat")) {
      String target =
          forward.backend() instanceof Inet6Address
              ? "TCP6:[" + address + "]:" + port
              : "TCP4:" + address + ":" + port;
      argv = List.of("socat", "-T" + seconds, "/dev/null", target + ",connect-timeout=" + seconds);
    } else if (runner.isInstalled("bash") && runner.isInstalled("timeout")) {
      argv =
          List.of(
              "timeout",
              Long.toString(seconds),
              "bash",
              "-c",
              "exec 3<>/dev/tcp/" + address + "/" + port);
    } else {
      return new ProbeResult(
          forward,
          Protocol.TCP,
          port,
          ProbeResult.Outcome.UNKNOWN,
          Duration.ZERO,
          "neither socat nor bash and timeout are installed; cannot probe");
    }
    long start = System.nanoTime();
    try {
      // The probe bounds itself; the runner's limit only catches a probe that hangs regardless.
      CommandResult result =
          runner.run(argv, "", Duration.ofSeconds(seconds + PROBE_SLACK_SECONDS));
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      return new ProbeResult(
          forward, Protocol.TCP, port, classify(result), elapsed, firstLine(result.stderr()));
    } catch (IOException e) {
      return new ProbeResult(
          forward, Protocol.TCP, port, ProbeResult.Outcome.UNKNOWN, Duration.ZERO, e.getMessage());
    }
  }

  static ProbeResult.Outcome classify(CommandResult result) {
    if (result.succeeded()) {
      return ProbeResult.Outcome.OK;
    }
    String message = result.stderr().toLowerCase(Locale.ROOT);
    if (message.contains("refused")) {
      return ProbeResult.Outcome.REFUSED;
    }
    if (message.contains("no route") || message.contains("unreachable")) {
      return ProbeResult.Outcome.UNREACHABLE;
    }
    // timeout(1) exits 124; socat says "Connection timed out" (or "Operation now in progress").
    if (result.exitCode() == 124
        || message.contains("timed out")
        || message.contains("in progress")) {
      return ProbeResult.Outcome.TIMED_OUT;
    }
    return ProbeResult.Outcome.UNKNOWN;
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    // socat prefixes its messages with a date and its pid; the rest is what matters.
    int at = line.indexOf(" E ");
    return at >= 0 ? line.substring(at + 3) : line;
  }
}
