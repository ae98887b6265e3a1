package dev.portfwd.cli;

import com.sun.net.httpserver.HttpHandler;
import dev.portfwd.backend.DriftProbe;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.LiveStatusCache;
import dev.portfwd.host.Signals;
import dev.portfwd.metrics.HttpAddress;
import dev.portfwd.metrics.HttpEndpoint;
import dev.portfwd.metrics.MetricsHandler;
import dev.portfwd.metrics.ServiceMetrics;
import dev.portfwd.model.Addresses;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.pool.OnDemandNameResolver;
import dev.portfwd.pool.TcpHealthProbe;
import dev.portfwd.service.ControlClient;
import dev.portfwd.service.ControlServer;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.TableReader;
import dev.portfwd.watch.Watcher;
import dev.portfwd.web.TlsContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd watch}: the daemon systemd runs. Applies the table, re-applies it when the file
 * changes and when the live rules drift, and logs each time. SIGTERM or SIGINT (Ctrl-C) ends it
 * with exit 0; the rules in force stay.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Apply the table and keep it applied (a daemon for systemd: see packaging/systemd).",
      "Re-applies when the file changes (an invalid edit is reported and the rules in force stay) and when"
          + " the live rules drift (a flushed ruleset, portfwd's table deleted). SIGTERM or Ctrl-C stops it; the rules"
          + " stay. Needs root."
    })
final class WatchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin StateOptions state;

  @Mixin BackendOption backend;

  @Option(
      names = "--no-sysctl",
      description = "Leave net.ipv4.ip_forward and IPv6 forwarding as they are, even when off.")
  boolean noSysctl;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "How often to compare the live rules with the table and repair drift (default: ${DEFAULT-VALUE}).")
  double intervalSeconds;

  @Option(
      names = "--full-interval",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description =
          "How often the live forwards are compared one by one even when the cheap check between"
              + " saw portfwd's objects unchanged (default: ${DEFAULT-VALUE}).")
  double fullIntervalSeconds;

  @Option(
      names = "--debounce",
      paramLabel = "MILLIS",
      defaultValue = "300",
      description =
          "How long the file must stay unchanged before an edit is read (default: ${DEFAULT-VALUE}).")
  long debounceMillis;

  @Option(
      names = "--control",
      paramLabel = "PATH",
      description =
          "The control socket the CLI reaches the service on (default: $"
              + ControlClient.ENV
              + " or "
              + ControlClient.DEFAULT_SOCKET
              + "). plan, apply, confirm, rollback, remove, status and doctor run through it.")
  Path control;

  @Option(names = "--no-control", description = "Open no control socket.")
  boolean noControl;

  @Option(
      names = "--http",
      paramLabel = "ADDRESS:PORT",
      description =
          "Serve Prometheus metrics at http://ADDRESS:PORT/metrics, without authentication, and the"
              + " dashboard and its API at http://ADDRESS:PORT/, behind the password 'portfwd passwd'"
              + " sets or a token of 'portfwd token create' (e.g. 127.0.0.1:9470; an IPv6 address in"
              + " brackets). Off by default.")
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
      names = "--dns-min-ttl",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "The shortest time a backend name's addresses are kept before it is resolved again,"
              + " whatever its record's TTL (default: ${DEFAULT-VALUE}).")
  double dnsMinTtlSeconds;

  @Option(
      names = "--dns-max-ttl",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description =
          "The longest time a backend name's addresses are kept before it is resolved again"
              + " (default: ${DEFAULT-VALUE}).")
  double dnsMaxTtlSeconds;

  @Option(
      names = "--status-max-age",
      paramLabel = "SECONDS",
      defaultValue = "2",
      description =
          "How old a read of the kernel's counters 'status' and the dashboard may be answered with:"
              + " reads within it are shared, and a client that polls finds the next one made in"
              + " the background ('status --fresh' reads now; default: ${DEFAULT-VALUE}).")
  double statusMaxAgeSeconds;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Serve --http over TLS (https://) with this PEM certificate chain, the server's"
              + " certificate first; needs --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The unencrypted PEM private key of --tls-cert.")
  Path tlsKey;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TABLE",
      defaultValue = TableReader.DEFAULT_TABLE,
      description = "The forwarding table file to keep applied (default: ${DEFAULT-VALUE}).")
  String table;

  @Override
  public void run() {
    if (table.equals("-")) {
      throw PortfwdException.invalidInput("watch needs a table file to watch, not standard input");
    }
    Duration interval = SecondsOption.within("--interval", intervalSeconds, 0.2, 3600);
    Duration fullInterval =
        SecondsOption.within(
            "--full-interval", fullIntervalSeconds, intervalSeconds, "--interval", 86_400);
    if (debounceMillis < 0 || debounceMillis > 60_000) {
      throw PortfwdException.invalidInput(
          "--debounce takes 0 to 60000 milliseconds, not " + debounceMillis);
    }
    Duration checkInterval =
        SecondsOption.within("--check-interval", checkIntervalSeconds, 0.1, 3600);
    Duration statusMaxAge = SecondsOption.within("--status-max-age", statusMaxAgeSeconds, 0, 3600);
    Duration dnsMinTtl = SecondsOption.within("--dns-min-ttl", dnsMinTtlSeconds, 0, 86_400);
    Duration dnsMaxTtl =
        SecondsOption.within(
            "--dns-max-ttl", dnsMaxTtlSeconds, dnsMinTtlSeconds, "--dns-min-ttl", 86_400);
    Optional<InetSocketAddress> httpAddress = httpAddress();
    Optional<SSLContext> tls = tls();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    KernelSession session = KernelSession.open(backend.choice);
    StateStore store = state.store();
    Engine engine = session.engine(store, err);
    // One reader of the kernel's counters for status, the dashboard and /metrics (LiveStatusCache).
    ScheduledExecutorService statusReads =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "portfwd-status-reads");
              thread.setDaemon(true);
              return thread;
            });
    LiveStatusCache liveStatus =
        LiveStatusCache.of(
            engine,
            store,
            (delay, task) -> statusReads.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
            Clock.systemUTC());
    Optional<ServiceMetrics> metrics =
        httpAddress.map(
            address ->
                new ServiceMetrics(
                    () ->
                        liveStatus.read(ServiceMetrics.COUNTER_MAX_AGE, false).status().forwards(),
                    ServiceMetrics.COUNTER_MAX_AGE,
                    Clock.systemUTC()));
    metrics.ifPresent(engine::listen);
    AtomicReference<KernelWatchTarget> targetRef = new AtomicReference<>();
    OnDemandNameResolver resolver = OnDemandNameResolver.system();
    BackendMonitor monitor =
        new BackendMonitor(
            resolver,
            new TcpHealthProbe(),
            new BackendMonitor.Settings(checkInterval, 3, 2, dnsMinTtl, dnsMaxTtl),
            System::nanoTime,
            new BackendChanges(targetRef, out, metrics));
    KernelWatchTarget target =
        new KernelWatchTarget(
            table,
            engine,
            !noSysctl,
            err,
            valid -> metrics.ifPresent(m -> m.tableRead(valid)),
            monitor);
    targetRef.set(target);
    // Between full checks, a backend may answer "are portfwd's objects still the same?" in
    // milliseconds.
    DriftProbe probe = session.backend.driftProbe();
    Watcher watcher =
        new Watcher(
            Path.of(table),
            target,
            interval,
            fullInterval,
            probe,
            Duration.ofMillis(debounceMillis),
            out);
    Invocation.ServiceState serviceState =
        new Invocation.ServiceState(
            session,
            store,
            engine,
            Path.of(table).toAbsolutePath().normalize(),
            Optional.of(monitor),
            liveStatus,
            statusMaxAge);
    Optional<ControlServer> server =
        openControl(serviceState, () -> metrics.ifPresent(ServiceMetrics::invalidApply), out);
    Optional<HttpEndpoint> endpoint;
    try {
      endpoint =
          openHttp(
              httpAddress,
              metrics,
              tls,
              () -> DashboardRoutes.of(serviceState, !noSysctl, tls.isPresent(), log(out)),
              out);
    } catch (RuntimeException e) {
      server.ifPresent(WatchCommand::closeQuietly);
      throw e;
    }
    Signals.onTermination(
        () -> {
          server.ifPresent(WatchCommand::closeQuietly);
          endpoint.ifPresent(HttpEndpoint::close);
          if (!watcher.stop(Duration.ofSeconds(20))) {
            // The current step hangs (a stuck nft): exit anyway, as systemd would after its
            // timeout.
            Runtime.getRuntime().halt(ExitCode.FAILURE);
          }
        });
    boolean started;
    monitor.start();
    try {
      started = watcher.run();
    } catch (IOException e) {
      throw PortfwdException.failure("cannot watch " + table + ": " + e.getMessage(), e);
    } finally {
      statusReads.shutdownNow();
      monitor.close();
      resolver.close();
      server.ifPresent(WatchCommand::closeQuietly);
      endpoint.ifPresent(HttpEndpoint::close);
    }
    if (!started) {
      throw PortfwdException.invalidInput("the table has errors; fix it and start watch again");
    }
  }

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

  private Optional<SSLContext> tls() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw PortfwdException.invalidInput("--tls-cert and --tls-key go together");
    }
    if (tlsCert == null) {
      return Optional.empty();
    }
    if (http == null) {
      throw PortfwdException.invalidInput("--tls-cert and --tls-key need --http ADDRESS:PORT");
    }
    try {
      return Optional.of(TlsContext.fromPem(tlsCert, tlsKey));
    } catch (IOException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    }
  }

  private static Consumer<String> log(PrintWriter out) {
    return line -> {
      synchronized (out) {
        out.println("portfwd watch: " + line);
        out.flush();
      }
    };
  }

  /**
   * Serves {@code /metrics} and the dashboard when {@code --http} asks; an address it cannot bind
   * ends watch.
   */
  private static Optional<HttpEndpoint> openHttp(
      Optional<InetSocketAddress> address,
      Optional<ServiceMetrics> metrics,
      Optional<SSLContext> tls,
      Supplier<Map<String, HttpHandler>> dashboard,
      PrintWriter out) {
    if (address.isEmpty() || metrics.isEmpty()) {
      return Optional.empty();
    }
    ServiceMetrics registry = metrics.get();
    try {
      Map<String, HttpHandler> routes = new HashMap<>(dashboard.get());
      routes.put("/metrics", new MetricsHandler(registry::scrape));
      HttpEndpoint endpoint = HttpEndpoint.start(address.get(), routes, tls);
      String base =
          (tls.isPresent() ? "https://" : "http://")
              + Addresses.withPort(endpoint.address().getAddress(), endpoint.address().getPort());
      log(out).accept("metrics at " + base + "/metrics");
      log(out).accept("dashboard at " + base + "/");
      return Optional.of(endpoint);
    } catch (IOException e) {
      throw PortfwdException.failure(
          "cannot listen on " + address.get() + " for --http: " + e.getMessage(), e);
    }
  }

  /**
   * Listens on the control socket unless {@code --no-control}; a socket it cannot open ends watch.
   */
  private Optional<ControlServer> openControl(
      Invocation.ServiceState service, Runnable invalidApply, PrintWriter out) {
    if (noControl) {
      return Optional.empty();
    }
    Path socket =
        control != null
            ? control.toAbsolutePath()
            : Optional.ofNullable(System.getenv(ControlClient.ENV))
                .filter(value -> !value.isBlank())
                .map(Path::of)
                .orElse(Path.of(ControlClient.DEFAULT_SOCKET))
                .toAbsolutePath();
    Consumer<String> log =
        line -> {
          synchronized (out) {
            out.println("portfwd watch: " + line);
            out.flush();
          }
        };
    try {
      ControlServer server =
          ControlServer.start(socket, new ServiceHandler(service, invalidApply, log), log);
      log.accept("control socket " + socket + " (the CLI's commands run here)");
      return Optional.of(server);
    } catch (IOException e) {
      throw PortfwdException.failure(
          "cannot open the control socket "
              + socket
              + ": "
              + e.getMessage()
              + " (--control PATH for another one, --no-control for none)",
          e);
    }
  }

  private static void closeQuietly(ControlServer server) {
    try {
      server.close();
    } catch (IOException e) {
      // The service is ending; a socket file left behind is replaced at the next start.
    }
  }
}
