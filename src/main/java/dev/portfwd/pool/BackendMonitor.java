package dev.portfwd.pool;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.BackendMember;
import dev.portfwd.model.BackendSpec;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The service's side of several backends and names: every {@code interval} it checks each backend
 * and re-resolves each name whose record's time to live ran out, and when the backends in rotation
 * change it hands the new table to its {@link Listener} (which applies it through the engine: one
 * transaction per change).
 *
 * <p>One scheduler thread runs the rounds; checks and look-ups of one round run side by side on a
 * small pool, each bounded in time, so a slow name server delays a round by at most one query's
 * time. The state (names, health) is guarded by this object's lock; the listener hears of changes
 * from the scheduler thread, never with the lock held (its quick metric calls excepted).
 */
public final class BackendMonitor implements AutoCloseable {

  /** What the monitor tells the service: a new table to apply, and why, in one line. */
  public interface Listener {
    void changed(ForwardTable effective, String why);

    /** A name was looked up ({@code ok} false: it failed); for the metrics. Quick: no I/O. */
    default void resolved(String name, boolean ok) {}

    /** A backend's health after a round ({@code external} as {@code 13102/tcp}). Quick. */
    default void health(String external, String backend, boolean up) {}
  }

  /**
   * @param interval how often backends are checked
   * @param fall failed checks in a row that take a backend out
   * @param rise good checks in a row that bring it back
   * @param minTtl the shortest a resolved name is trusted, whatever its record says
   * @param maxTtl the longest
   */
  public record Settings(Duration interval, int fall, int rise, Duration minTtl, Duration maxTtl) {
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(2), 3, 2, Duration.ofSeconds(5), Duration.ofSeconds(300));
    }
  }

  /** One backend of one forward as {@code status} shows it. */
  public record BackendState(
      Forward forward, BackendMember member, Optional<CheckTarget> target, Health health) {}

  private final NameResolver resolver;
  private final HealthProbe probe;
  private final Settings settings;
  private final LongSupplier nanoTime;
  private final Listener listener;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;

  private ForwardTable written = new ForwardTable("", List.of());

  /**
   * The forwards of {@link #written} with several backends or a name: the only ones a round looks
   * at. A table of single-address forwards alone costs the rounds nothing.
   */
  private List<Forward> pooled = List.of();

  private final Map<String, List<InetAddress>> names = new HashMap<>();
  private final Map<String, Long> nameDue = new HashMap<>();
  private final Map<CheckTarget, Health> health = new HashMap<>();
  private ForwardTable lastEffective;

  public BackendMonitor(
      NameResolver resolver,
      HealthProbe probe,
      Settings settings,
      LongSupplier nanoTime,
      Listener listener) {
    this.resolver = resolver;
    this.probe = probe;
    this.settings = settings;
    this.nanoTime = nanoTime;
    this.listener = listener;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "portfwd-backend-checks"));
    this.workers = Executors.newFixedThreadPool(8, r -> daemon(r, "portfwd-backend-check"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread thread = new Thread(r, name);
    thread.setDaemon(true);
    return thread;
  }

  /** Starts the rounds: the first one {@code interval} from now. */
  public void start() {
    schedule(settings.interval().toNanos());
  }

  private void schedule(long delayNanos) {
    try {
      scheduler.schedule(this::roundAndNext, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      // close() ended the rounds.
    }
  }

  /** One round, then the next one {@link #nextDelay} after this one began. */
  private void roundAndNext() {
    long began = System.nanoTime();
    roundQuietly();
    schedule(nextDelay().toNanos() - (System.nanoTime() - began));
  }

  /**
   * How long after a round the next one starts: the interval, or half of it while a backend in
   * rotation has failed a check but not yet {@code fall} of them (HAProxy's fastinter), so that a
   * dead backend leaves within {@code fall} intervals of dying even when it died just after a good
   * check. A returning backend gets no hurry: rise keeps its full hold-off against flapping.
   */
  synchronized Duration nextDelay() {
    for (Health h : health.values()) {
      if (h.up() && h.streak() > 0) {
        return settings.interval().dividedBy(2);
      }
    }
    return settings.interval();
  }

  /**
   * Takes {@code table} as the one to keep applied: names not known yet are resolved now (so the
   * first apply installs them), health already learnt is kept for backends still in it.
   *
   * @return the table as the kernel should hold it now
   */
  public ForwardTable table(ForwardTable table) {
    Map<String, IpFamily> wanted = namesOf(table);
    Map<String, Resolution> fresh = new HashMap<>();
    synchronized (this) {
      wanted.keySet().removeAll(names.keySet());
    }
    wanted.forEach((name, family) -> fresh.put(name, resolver.resolve(name, family)));
    synchronized (this) {
      written = table;
      pooled =
          table.forwards().stream()
              .filter(f -> f.pool().hasNames() || f.pool().written().size() > 1)
              .toList();
      fresh.forEach((name, resolution) -> learn(name, resolution, new ArrayList<>()));
      Set<String> used = namesOf(table).keySet();
      names.keySet().retainAll(used);
      nameDue.keySet().retainAll(used);
      lastEffective = Rotation.effective(written, names, health);
      return lastEffective;
    }
  }

  /** The table as the kernel should hold it now. */
  public synchronized ForwardTable effective() {
    return Rotation.effective(written, names, health);
  }

  /**
   * {@code table} as the kernel should hold it with {@code names} and the health these checks
   * learnt: what a change the service is asked for (the dashboard's plan or apply) installs, so it
   * does not point a forward at a backend the checks took out. The monitor keeps its own table:
   * watch's reload of the file hands it over.
   */
  public synchronized ForwardTable effective(
      ForwardTable table, Map<String, List<InetAddress>> names) {
    return Rotation.effective(table, names, health);
  }

  /** Every backend of every forward with several backends or names, and its health now. */
  public synchronized List<BackendState> backends() {
    List<BackendState> states = new ArrayList<>();
    for (Forward forward : pooled) {
      for (BackendMember member : Rotation.members(forward, names)) {
        Optional<CheckTarget> target = Rotation.target(forward, member);
        states.add(
            new BackendState(
                forward,
                member,
                target,
                target.map(t -> health.getOrDefault(t, Health.INITIAL)).orElse(Health.INITIAL)));
      }
    }
    return states;
  }

  /** Names that have never resolved, each with the lines that use it. */
  public synchronized Map<String, List<Integer>> unresolved() {
    Map<String, List<Integer>> missing = new LinkedHashMap<>();
    for (Forward forward : written.forwards()) {
      for (BackendSpec spec : forward.pool().written()) {
        if (spec.isName() && !names.containsKey(spec.text())) {
          missing.computeIfAbsent(spec.text(), n -> new ArrayList<>()).add(forward.line());
        }
      }
    }
    return missing;
  }

  private void roundQuietly() {
    try {
      round();
    } catch (RuntimeException e) {
      // A bug in one round must not end the checks for good; the next round starts afresh.
      listenerLog("backend checks failed: " + e);
    }
  }

  private void listenerLog(String line) {
    System.err.println("portfwd watch: " + line);
  }

  /** One round: look-ups that are due, every check, then one change if the rotation moved. */
  void round() {
    ForwardTable table;
    Map<String, IpFamily> due = new LinkedHashMap<>();
    Set<CheckTarget> targets = new LinkedHashSet<>();
    long now = nanoTime.getAsLong();
    synchronized (this) {
      if (pooled.isEmpty()) {
        return; // table() already made the effective table, which only pools and names change
      }
      table = written;
      namesOf(table)
          .forEach(
              (name, family) -> {
                Long when = nameDue.get(name);
                if (when == null || when - now <= 0) {
                  due.put(name, family);
                }
              });
      for (Forward forward : pooled) {
        for (BackendMember member : Rotation.members(forward, names)) {
          Rotation.target(forward, member).ifPresent(targets::add);
        }
      }
    }
    Duration timeout =
        Duration.ofMillis(Math.max(100, Math.min(2_000, settings.interval().toMillis() * 3 / 4)));
    Map<String, Future<Resolution>> lookups = new LinkedHashMap<>();
    due.forEach(
        (name, family) -> lookups.put(name, workers.submit(() -> resolver.resolve(name, family))));
    Map<CheckTarget, Future<String>> checks = new LinkedHashMap<>();
    for (CheckTarget target : targets) {
      checks.put(target, workers.submit(() -> probe.check(target, timeout)));
    }
    Map<String, Resolution> resolved = new LinkedHashMap<>();
    lookups.forEach(
        (name, future) ->
            resolved.put(name, await(future, Resolution.failed("look-up did not finish"))));
    Map<CheckTarget, String> problems = new HashMap<>();
    Map<CheckTarget, Boolean> checked = new HashMap<>();
    checks.forEach(
        (target, future) -> {
          String problem = await(future, "check did not finish");
          checked.put(target, true);
          if (problem != null) {
            problems.put(target, problem);
          }
        });
    List<String> why = new ArrayList<>();
    ForwardTable effective;
    synchronized (this) {
      resolved.forEach((name, resolution) -> learn(name, resolution, why));
      // Backends gone from the table (or from a name's addresses) are forgotten.
      health.keySet().retainAll(targets);
      for (CheckTarget target : checked.keySet()) {
        Health before = health.getOrDefault(target, Health.INITIAL);
        Health after = before.after(problems.get(target), settings.fall(), settings.rise());
        health.put(target, after);
        if (after.up() != before.up()) {
          why.add(
              after.up()
                  ? "backend " + target + " is up again after " + settings.rise() + " good checks"
                  : "backend "
                      + target
                      + " is down after "
                      + settings.fall()
                      + " failed checks ("
                      + after.lastProblem()
                      + ")");
        }
      }
      for (Forward forward : pooled) {
        if (Rotation.allDown(forward, names, health)
            && why.stream().anyMatch(w -> w.contains(" is down "))) {
          why.add("every backend of line " + forward.line() + " is down; all stay in rotation");
        }
      }
      for (Forward forward : pooled) {
        for (BackendMember member : Rotation.members(forward, names)) {
          Optional<CheckTarget> target = Rotation.target(forward, member);
          if (target.isPresent()) {
            listener.health(
                forward.externalText() + "/" + forward.protocolText(),
                target.get().toString(),
                health.getOrDefault(target.get(), Health.INITIAL).up());
          }
        }
      }
      effective = Rotation.effective(written, names, health);
      if (effective.equals(lastEffective)) {
        effective = null;
      } else {
        lastEffective = effective;
      }
    }
    if (!why.isEmpty() && effective == null) {
      listenerLog(String.join("; ", why));
    }
    if (effective != null) {
      listener.changed(effective, why.isEmpty() ? "backends changed" : String.join("; ", why));
    }
  }

  /** Records one look-up's answer; a failure keeps the last good addresses. Holds the lock. */
  private void learn(String name, Resolution resolution, List<String> why) {
    long now = nanoTime.getAsLong();
    listener.resolved(name, resolution.ok());
    if (!resolution.ok()) {
      nameDue.put(name, now + settings.minTtl().toNanos());
      List<InetAddress> kept = names.get(name);
      why.add(
          "cannot resolve "
              + name
              + " ("
              + resolution.error().get()
              + ")"
              + (kept == null ? "" : "; keeping " + text(kept)));
      return;
    }
    Duration ttl = resolution.ttl();
    if (ttl.compareTo(settings.minTtl()) < 0) {
      ttl = settings.minTtl();
    }
    if (ttl.compareTo(settings.maxTtl()) > 0) {
      ttl = settings.maxTtl();
    }
    nameDue.put(name, now + ttl.toNanos());
    List<InetAddress> before = names.put(name, resolution.addresses());
    if (before != null && !before.equals(resolution.addresses())) {
      why.add(
          name
              + " now resolves to "
              + text(resolution.addresses())
              + " (was "
              + text(before)
              + ")");
    }
  }

  private static String text(List<InetAddress> addresses) {
    return String.join(",", addresses.stream().map(Addresses::format).toList());
  }

  private static Map<String, IpFamily> namesOf(ForwardTable table) {
    Map<String, IpFamily> names = new LinkedHashMap<>();
    for (Forward forward : table.forwards()) {
      for (BackendSpec spec : forward.pool().written()) {
        if (spec.isName()) {
          names.putIfAbsent(spec.text(), Rotation.familyFor(forward));
        }
      }
    }
    return names;
  }

  private static <T> T await(Future<T> future, T otherwise) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return otherwise;
    } catch (Exception e) {
      future.cancel(true);
      return otherwise;
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    workers.shutdownNow();
  }
}
