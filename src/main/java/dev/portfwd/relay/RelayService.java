package dev.portfwd.relay;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.pool.OnDemandNameResolver;
import dev.portfwd.pool.TcpHealthProbe;
import dev.portfwd.table.Diagnostic;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs a {@link Relay} as a long-lived service: reloads the table on SIGHUP and when the file
 * changes (debounced; an invalid table is logged with its diagnostics and the old one keeps
 * serving), prints the counters on SIGUSR1 and every {@code statusInterval}, and on SIGTERM stops
 * accepting, lets open connections finish for up to {@code drainTimeout}, then returns.
 *
 * <p>Every control action runs on one control thread, so reloads never overlap each other or the
 * drain.
 */
public final class RelayService {

  private static final Logger LOG = Logger.getLogger(RelayService.class.getPackageName());
  private static final Duration DEBOUNCE = Duration.ofMillis(300);

  private final Relay relay;
  private final Optional<Path> tableFile;
  private final Duration drainTimeout;
  private final Duration statusInterval;
  private final ScheduledExecutorService control =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "portfwd-relay-control");
            thread.setDaemon(true);
            return thread;
          });
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final OnDemandNameResolver resolver = OnDemandNameResolver.system();
  private final BackendMonitor monitor;
  // The table as read, before names resolve: what the file held at the last apply. Only the control
  // thread touches it.
  private ForwardTable served;

  /**
   * @param tableFile the file to reload from; empty when the table came from standard input
   */
  public RelayService(
      Relay relay, Optional<Path> tableFile, Duration drainTimeout, Duration statusInterval) {
    this(relay, tableFile, drainTimeout, statusInterval, BackendMonitor.Settings.defaults());
  }

  /**
   * @param checks how the backends of forwards with several backends or names are checked and their
   *     names re-resolved
   */
  public RelayService(
      Relay relay,
      Optional<Path> tableFile,
      Duration drainTimeout,
      Duration statusInterval,
      BackendMonitor.Settings checks) {
    this.monitor =
        new BackendMonitor(
            resolver,
            new TcpHealthProbe(),
            checks,
            System::nanoTime,
            (effective, why) ->
                control.execute(
                    () -> {
                      LOG.info(why + "; new connections follow");
                      for (String failure : relay.apply(effective)) {
                        LOG.warning(failure);
                      }
                    }));
    this.relay = relay;
    this.tableFile = tableFile;
    this.drainTimeout = drainTimeout;
    this.statusInterval = statusInterval;
  }

  /**
   * Starts serving {@code table}.
   *
   * @return a line per socket that could not be opened; empty when all listen
   */
  public List<String> start(ForwardTable table) {
    // The handlers come before the first port listens: the default action of SIGHUP and SIGUSR1
    // ends the process, and a reload or a status request may come as soon as a port answers.
    // Their work goes to the control thread, as does this first apply, so they never overlap it.
    SignalHandlers.install(
        () -> control.execute(this::reload),
        () -> control.execute(this::printStatus),
        stopRequested::countDown);
    LOG.info(
        "relay starting with the "
            + relay.transport().name()
            + " transport"
            + (relay.transport().reasonForNio().isEmpty()
                ? ""
                : " (" + relay.transport().reasonForNio() + ")"));
    ConnectionLimits.fileLimitWarning(
            relay.options().maxConnections(), ConnectionLimits.fileLimit())
        .ifPresent(LOG::warning);
    List<String> failures;
    try {
      failures =
          control
              .submit(
                  () -> {
                    served = table;
                    return relay.apply(resolved(table));
                  })
              .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of("interrupted while opening the relay's ports");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
    monitor.start();
    return failures;
  }

  /** {@code table} with its names resolved and its dead backends out, as the monitor knows it. */
  private ForwardTable resolved(ForwardTable table) {
    ForwardTable effective = monitor.table(table);
    monitor
        .unresolved()
        .forEach(
            (name, lines) ->
                LOG.warning(
                    "backend name "
                        + name
                        + " of line "
                        + lines
                        + " does not resolve; its forwards wait until it does"));
    return effective;
  }

  /**
   * Serves until SIGTERM or SIGINT, then drains; returns the number of connections cut by the drain
   * timeout.
   */
  public long serve() throws InterruptedException {
    TableWatcher watcher = null;
    if (tableFile.isPresent()) {
      try {
        watcher =
            TableWatcher.start(tableFile.get(), DEBOUNCE, () -> control.execute(this::reload));
        // An edit saved after the table was read and before the watcher started raised no event.
        control.execute(this::reloadIfEdited);
      } catch (IOException e) {
        LOG.warning(
            "cannot watch "
                + tableFile.get()
                + " for changes ("
                + e.getMessage()
                + "); SIGHUP still reloads");
      }
    }
    if (!statusInterval.isZero()) {
      control.scheduleAtFixedRate(
          this::printStatus,
          statusInterval.toMillis(),
          statusInterval.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    stopRequested.await();
    try {
      if (watcher != null) {
        watcher.close();
      }
    } catch (IOException ignored) {
      // Closing a watch service does not fail in a way that matters at shutdown.
    }
    control.shutdownNow();
    monitor.close();
    resolver.close();
    return drain();
  }

  private long drain() throws InterruptedException {
    relay.stopAccepting();
    long open = relay.counters().activeTcp();
    if (open > 0) {
      LOG.info(
          "stopped accepting; waiting up to "
              + drainTimeout.toSeconds()
              + "s for "
              + open
              + " open connections");
    }
    long left = relay.awaitDrained(drainTimeout);
    if (left > 0) {
      LOG.info("drain timeout: closing " + left + " connections still open");
    }
    printStatus();
    relay.close();
    LOG.info("relay stopped");
    return left;
  }

  /** Re-reads the table file and applies it if it is valid. Runs on the control thread. */
  void reload() {
    if (tableFile.isEmpty()) {
      LOG.warning("reload requested, but the table came from standard input; restart to change it");
      return;
    }
    readTable().ifPresent(this::apply);
  }

  /** {@link #reload} unless the file still holds the table being served. */
  private void reloadIfEdited() {
    readTable()
        .filter(result -> result.hasErrors() || !result.table().equals(served))
        .ifPresent(
            result -> {
              LOG.info(tableFile.get() + " changed while the relay started; reloading it");
              apply(result);
            });
  }

  private Optional<ParseResult> readTable() {
    try {
      return Optional.of(TableReader.read(tableFile.orElseThrow().toString(), System.in));
    } catch (TableReader.TableUnreadableException e) {
      LOG.warning("reload failed, keeping the previous table: " + e.getMessage());
      return Optional.empty();
    }
  }

  private void apply(ParseResult result) {
    for (Diagnostic diagnostic : result.diagnostics()) {
      LOG.warning(diagnostic.headline());
    }
    if (result.hasErrors()) {
      LOG.warning(
          "reload rejected: "
              + result.errorCount()
              + " errors in "
              + tableFile.get()
              + "; the previous table keeps serving");
      return;
    }
    served = result.table();
    for (String failure : relay.apply(resolved(result.table()))) {
      LOG.warning(failure);
    }
  }

  private void printStatus() {
    for (ForwardCounters.Snapshot snapshot : relay.snapshot()) {
      LOG.info("stats " + snapshot.line());
    }
  }
}
