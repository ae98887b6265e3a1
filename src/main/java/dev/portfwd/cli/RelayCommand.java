package dev.portfwd.cli;

import dev.portfwd.metrics.HttpAddress;
import dev.portfwd.metrics.HttpEndpoint;
import dev.portfwd.metrics.MetricsHandler;
import dev.portfwd.metrics.RelayMetrics;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.relay.Relay;
import dev.portfwd.relay.RelayCounters;
import dev.portfwd.relay.RelayLog;
import dev.portfwd.relay.RelayOptions;
import dev.portfwd.relay.RelayService;
import dev.portfwd.relay.Transport;
import dev.portfwd.table.TableReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portfwd relay}: serves a table from user space until SIGTERM. */
@Command(
    name = "relay",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a forwarding table as a userspace TCP/UDP relay: no root, no kernel rules.",
      "SIGHUP or a change of the table file reloads it (open connections are kept); SIGUSR1 logs"
          + " the counters; SIGTERM (or Ctrl-C) stops accepting, drains open connections and exits 0.",
      "Logs go to standard error, one line per event."
    })
final class RelayCommand implements Runnable {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TABLE",
      defaultValue = TableReader.DEFAULT_TABLE,
      description =
          "The forwarding table to serve; '-' reads standard input (no reload then) (default: ${DEFAULT-VALUE}).")
  String table;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "How long a backend may take to accept a TCP connection; durations are written like 500ms,"
              + " 30s, 5m or 1h, a bare number in seconds, at most 8760h (365 days) (default:"
              + " ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      defaultValue = "1h",
      converter = DurationConverter.class,
      description =
          "Close a TCP connection with no traffic either way for this long; 0 never (default: ${DEFAULT-VALUE}).")
  Duration idleTimeout;

  @Option(
      names = "--udp-idle-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "End a UDP session with no datagram either way for this long; 0 never, as for"
              + " --idle-timeout: sessions then last until their line is removed or the relay"
              + " stops, and once --max-udp-sessions clients have come, a port drops every new"
              + " one (default: ${DEFAULT-VALUE}).")
  Duration udpIdleTimeout;

  @Option(
      names = "--max-udp-sessions",
      paramLabel = "COUNT",
      defaultValue = "10000",
      description =
          "UDP clients served at once per port; datagrams of further clients are dropped (default: ${DEFAULT-VALUE}).")
  int maxUdpSessions;

  @Option(
      names = "--max-udp-sessions-per-source",
      paramLabel = "COUNT",
      defaultValue = "1000",
      description =
          "UDP sessions per port from one client address, so one host cannot take every slot; 0 for"
              + " no limit (default: ${DEFAULT-VALUE}).")
  int maxUdpSessionsPerSource;

  @Option(
      names = "--max-connections",
      paramLabel = "COUNT",
      defaultValue = "10000",
      description =
          "TCP connections open at once over the whole relay; further ones are closed at once and"
              + " counted as refused (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--max-connections-per-source",
      paramLabel = "COUNT",
      defaultValue = "1000",
      description =
          "TCP connections open at once from one client address, so one host cannot take every"
              + " slot; 0 for no limit (default: ${DEFAULT-VALUE}).")
  int maxConnectionsPerSource;

  @Option(
      names = "--udp-receive-buffer",
      paramLabel = "SIZE",
      defaultValue = "0",
      converter = ByteSizeConverter.class,
      description =
          "The receive buffer each UDP socket asks the kernel for (e.g. 4m): a burst waits there"
              + " while the relay catches up, instead of being dropped. The kernel caps it at"
              + " net.core.rmem_max (the log says so). 0: the kernel's default,"
              + " net.core.rmem_default (default: ${DEFAULT-VALUE}).")
  int udpReceiveBuffer;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "On SIGTERM, how long open connections may take to finish before they are closed (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(
      names = "--status-interval",
      paramLabel = "DURATION",
      defaultValue = "0",
      converter = DurationConverter.class,
      description =
          "Log every forward's counters this often; 0 only on SIGUSR1 (default: ${DEFAULT-VALUE}).")
  Duration statusInterval;

  @Option(
      names = "--transport",
      paramLabel = "auto|epoll|nio",
      defaultValue = "auto",
      description =
          "Network transport: auto, epoll or nio (auto takes epoll when it loads; default: ${DEFAULT-VALUE}).")
  String transport;

  @Option(
      names = "--http",
      paramLabel = "ADDRESS:PORT",
      description =
          "Serve the relay's Prometheus metrics at http://ADDRESS:PORT/metrics, without"
              + " authentication (e.g. 127.0.0.1:9471; an IPv6 address in brackets). Off by"
              + " default.")
  String http;

  @Option(
      names = "--check-interval",
      paramLabel = "SECONDS",
      defaultValue = "2",
      description =
          "How often each backend of a forward with several backends or a name is checked; one"
              + " leaves after 3 failed checks (checked every half interval once one failed) and"
              + " returns after 2 good ones (default: ${DEFAULT-VALUE}).")
  double checkIntervalSeconds;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log a line for every connection and UDP session.")
  boolean verbose;

  private Optional<InetSocketAddress> httpAddress() {
    if (http == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(HttpAddress.parse(http));
    } catch (IllegalArgumentException e) {
      throw PortfwdException.invalidInput(e.getMessage());
    }
  }

  private Transport.Choice transportChoice() {
    try {
      return Transport.Choice.valueOf(transport.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw PortfwdException.invalidInput(
          "--transport must be auto, epoll or nio, not '" + transport + "'");
    }
  }

  @Override
  public void run() {
    Duration checkInterval =
        SecondsOption.within("--check-interval", checkIntervalSeconds, 0.1, 3600);
    RelayLog.configure(System.err, verbose);
    Optional<InetSocketAddress> httpAddress = httpAddress();
    ForwardTable forwards = TableLoader.load(table, System.in, spec.commandLine().getErr());
    RelayOptions options;
    Transport chosen;
    try {
      options =
          new RelayOptions(
              connectTimeout,
              idleTimeout,
              udpIdleTimeout,
              maxUdpSessions,
              maxUdpSessionsPerSource,
              maxConnections,
              maxConnectionsPerSource,
              udpReceiveBuffer,
              verbose);
      chosen = Transport.select(transportChoice());
    } catch (IllegalArgumentException e) {
      throw PortfwdException.invalidInput(e.getMessage());
    } catch (IllegalStateException e) {
      throw PortfwdException.failure(e.getMessage());
    }
    Relay relay = new Relay(chosen, options, new RelayCounters());
    Optional<Path> file =
        TableReader.STDIN.equals(table) ? Optional.empty() : Optional.of(Path.of(table));
    BackendMonitor.Settings defaults = BackendMonitor.Settings.defaults();
    RelayService service =
        new RelayService(
            relay,
            file,
            drainTimeout,
            statusInterval,
            new BackendMonitor.Settings(
                checkInterval,
                defaults.fall(),
                defaults.rise(),
                defaults.minTtl(),
                defaults.maxTtl()));
    Optional<HttpEndpoint> endpoint = openHttp(httpAddress, relay);
    List<String> failures = service.start(forwards);
    if (!failures.isEmpty()) {
      relay.close();
      endpoint.ifPresent(HttpEndpoint::close);
      failures.subList(0, failures.size() - 1).forEach(spec.commandLine().getErr()::println);
      throw PortfwdException.failure(
          failures.get(failures.size() - 1)
              + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more above)" : ""));
    }
    try {
      service.serve();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      relay.close();
    } finally {
      endpoint.ifPresent(HttpEndpoint::close);
    }
  }

  /** Serves {@code /metrics} when {@code --http} asks; an address it cannot bind ends the relay. */
  private Optional<HttpEndpoint> openHttp(Optional<InetSocketAddress> address, Relay relay) {
    if (address.isEmpty()) {
      return Optional.empty();
    }
    RelayMetrics metrics = new RelayMetrics(relay::snapshot);
    try {
      HttpEndpoint endpoint =
          HttpEndpoint.start(
              address.get(), Map.of("/metrics", new MetricsHandler(metrics::scrape)));
      Logger.getLogger(RelayLog.class.getPackageName())
          .info(
              "metrics at http://"
                  + Addresses.withPort(
                      endpoint.address().getAddress(), endpoint.address().getPort())
                  + "/metrics");
      return Optional.of(endpoint);
    } catch (IOException e) {
      throw PortfwdException.failure(
          "cannot listen on " + address.get() + " for --http: " + e.getMessage(), e);
    }
  }
}
