package dev.portfwd.cli;

import dev.portfwd.engine.Engine;
import dev.portfwd.engine.EngineException;
import dev.portfwd.engine.LiveStatusCache;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.service.ControlServer.Request;
import dev.portfwd.state.StateDir;
import dev.portfwd.state.StateStore;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a command runs and what it runs with: in a process of its own (direct), or inside the
 * service for a client of the control socket. The commands ask this object, never the process, for
 * their standard input, their working directory, the state directory and the engine, so the same
 * command code gives the same output and exit code on both paths. In the service, the state
 * directory and the engine are the service's own: one engine, one lock, for the watch loop and
 * every request.
 */
final class Invocation {

  private final InputStream stdin;
  private final Path cwd;
  private final boolean colour;
  private final Optional<Path> requestedStateDir;
  private final Optional<ServiceState> service;

  private Invocation(
      InputStream stdin,
      Path cwd,
      boolean colour,
      Optional<Path> requestedStateDir,
      Optional<ServiceState> service) {
    this.stdin = stdin;
    this.cwd = cwd;
    this.colour = colour;
    this.requestedStateDir = requestedStateDir;
    this.service = service;
  }

  /** A command run in its own process, reading {@code stdin}. */
  static Invocation direct(InputStream stdin) {
    String term = System.getenv("TERM");
    boolean colour =
        System.console() != null
            && term != null
            && !term.equals("dumb")
            && System.getenv("NO_COLOR") == null;
    return new Invocation(
        stdin, Path.of("").toAbsolutePath(), colour, Optional.empty(), Optional.empty());
  }

  /** A command the service runs for a client's {@code request}. */
  static Invocation served(Request request, InputStream stdin, ServiceState service) {
    return new Invocation(
        stdin,
        request.cwd(),
        request.colour(),
        Optional.of(request.stateDir()),
        Optional.of(service));
  }

  InputStream stdin() {
    return stdin;
  }

  /** True when the output goes to a terminal that wants colour. */
  boolean colour() {
    return colour;
  }

  /** True inside the service: process-wide settings (signals) are not the command's to change. */
  boolean inService() {
    return service.isPresent();
  }

  /** The table file a command names, resolved against the caller's directory; {@code -} stays. */
  String table(String name) {
    return name.equals("-") ? name : cwd.resolve(name).normalize().toString();
  }

  /** The table the service keeps applied, when this runs in the service. */
  Optional<Path> watchedTable() {
    return service.map(ServiceState::table);
  }

  /**
   * The state directory for {@code --state-dir} ({@code null} when not given): the option, else
   * what the client resolved (in the service), else the environment or the default. In the service
   * its own directory is the one shared store, whose lock the watch loop holds too.
   */
  StateStore store(Path stateDirOption) {
    Path dir =
        stateDirOption != null
            ? cwd.resolve(stateDirOption).normalize()
            : requestedStateDir.orElseGet(() -> StateDir.resolve(Optional.empty()));
    if (service.isPresent() && service.get().store().dir().equals(dir)) {
      return service.get().store();
    }
    return new StateStore(dir);
  }

  /** The kernel session for {@code choice}: the service's own when it is the same backend. */
  KernelSession session(BackendChoice choice) {
    if (service.isPresent()
        && (choice == BackendChoice.auto
            || choice.toString().equals(service.get().session().backend.name()))) {
      return service.get().session();
    }
    return KernelSession.open(choice);
  }

  /** The engine for {@code session} and {@code store}: in the service, its one engine. */
  Engine engine(KernelSession session, StateStore store, PrintWriter err) {
    if (service.isPresent()
        && service.get().session() == session
        && service.get().store() == store) {
      return service.get().engine();
    }
    return session.engine(store, err);
  }

  /**
   * True when {@code engine} is the service's own (the command runs in the service, on its store).
   */
  boolean isServiceEngine(Engine engine) {
    return service.isPresent() && service.get().engine() == engine;
  }

  /**
   * What the service shares with the commands it runs.
   *
   * @param table the table file the service keeps applied
   */
  record ServiceState(
      KernelSession session,
      StateStore store,
      Engine engine,
      Path table,
      Optional<BackendMonitor> backends,
      LiveStatusCache liveStatus,
      Duration statusMaxAge) {

    /** Without backend checks, and without background reads of the live status. */
    ServiceState(KernelSession session, StateStore store, Engine engine, Path table) {
      this(
          session,
          store,
          engine,
          table,
          Optional.empty(),
          LiveStatusCache.of(engine, store, LiveStatusCache.NO_BACKGROUND, Clock.systemUTC()),
          DEFAULT_STATUS_MAX_AGE);
    }
  }

  /** {@code watch --status-max-age}'s default. */
  static final Duration DEFAULT_STATUS_MAX_AGE = Duration.ofSeconds(2);

  /**
   * The live status for {@code status}: in the service, its shared read when one younger than
   * {@code watch --status-max-age} is at hand and {@code fresh} is not asked for (see {@link
   * LiveStatusCache}); else, and always on the direct path, read now.
   */
  LiveStatusCache.Reading liveStatus(Engine engine, boolean fresh) throws EngineException {
    if (isServiceEngine(engine)) {
      ServiceState state = service.get();
      return state.liveStatus().read(fresh ? Duration.ZERO : state.statusMaxAge(), !fresh);
    }
    Instant readAt = Instant.now();
    return new LiveStatusCache.Reading(engine.liveStatus(), readAt);
  }

  /**
   * The health of each backend of forwards with several backends or names, as the service's checks
   * last found it; empty outside the service.
   */
  List<BackendMonitor.BackendState> backendHealth() {
    return service.flatMap(ServiceState::backends).map(BackendMonitor::backends).orElse(List.of());
  }
}
