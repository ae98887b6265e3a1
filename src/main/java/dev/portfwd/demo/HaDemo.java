package dev.portfwd.demo;

import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.EngineException;
import dev.portfwd.ha.HaConfig;
import dev.portfwd.ha.HaDescription;
import dev.portfwd.ha.HaDescriptionParser;
import dev.portfwd.ha.HaFileWriter;
import dev.portfwd.ha.HaPaths;
import dev.portfwd.host.CommandResult;
import dev.portfwd.table.TableParser;
import dev.portfwd.table.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code portfwd demo --ha}: an HA pair in throwaway namespaces ({@link HaDemoNetwork}), running
 * keepalived and conntrackd with the files {@code portfwd ha config} writes and the table applied
 * through the engine on both gateways. A client downloads a long stream from the backend through
 * the virtual public address; the demo kills the active gateway (links down, every process in it
 * killed) and follows the stream through the other. With {@code failovers} above one it brings the
 * dead gateway back as backup, waits until conntrackd has copied the connection to it, and kills
 * the active one again, back and forth.
 *
 * <p>Ends with one line: {@code failover: N ms, connection kept, M bytes lost} (N the longest time
 * from a kill to the first byte through the other gateway, M the bytes that arrived wrong or not at
 * all in their place) or {@code failover: N ms, connection lost}.
 */
public final class HaDemo {

  /** The outcome: each failover's time in milliseconds (-1: never resumed), and the stream's. */
  public record Outcome(
      List<Long> failoverMillis, boolean kept, long bytesReceived, long bytesLost) {
    /** The one-line summary the demo ends with. */
    public String summary() {
      long worst = failoverMillis.stream().mapToLong(Long::longValue).max().orElse(-1);
      return kept
          ? "failover: " + worst + " ms, connection kept, " + bytesLost + " bytes lost"
          : "failover: " + worst + " ms, connection lost";
    }
  }

  public static final String TABLE =
      "13102  192.0.2.2  80  tcp  snat=192.0.2.254  # long download\n";
  private static final int STREAM_PORT = 80;

  private static final long MIN_FAILOVER_PAUSE_MILLIS = 200;

  private final PrintWriter out;
  private final int failovers;
  private int steps;

  public HaDemo(PrintWriter out, int failovers) {
    if (failovers < 1 || failovers > 50) {
      throw new IllegalArgumentException("failovers: 1 to 50");
    }
    this.out = out;
    this.failovers = failovers;
  }

  /**
   * Runs the demo and deletes everything it made.
   *
   * @throws IOException when the namespaces, the daemons or the stream cannot be set up
   */
  public Outcome run() throws IOException, EngineException, InterruptedException {
    HaDescription pair =
        HaDescriptionParser.parse("demo.ha", HaDemoNetwork.DESCRIPTION)
            .description()
            .orElseThrow(() -> new IllegalStateException("the demo's HA description is broken"));
    DesiredState desired = compile();
    Path dir = Files.createTempDirectory("portfwd-ha-demo-");
    Thread cleanup = new Thread(() -> deleteTree(dir));
    Runtime.getRuntime().addShutdownHook(cleanup);
    step(
        "building throwaway namespaces: client ── public bridge ── gw-a, gw-b ── VPN bridge ── backend");
    try (HaDemoNetwork network = HaDemoNetwork.create()) {
      out.println(
          "   (namespaces "
              + network.namespace("gw-a")
              + ", …; the gateways share "
              + HaDemoNetwork.VIRTUAL_PUBLIC
              + " and "
              + HaDemoNetwork.VIRTUAL_VPN
              + ")");
      Map<String, HaPaths> paths = new HashMap<>();
      for (String gw : HaDemoNetwork.GATEWAYS) {
        HaPaths p = new HaPaths(dir.resolve(gw).resolve("etc"), dir.resolve(gw).resolve("run"));
        Files.createDirectories(p.runDir());
        paths.put(gw, p);
        step("portfwd ha config --gateway " + gw + "  and  portfwd apply  (inside " + gw + ")");
        HaFileWriter.write(p, HaConfig.generate(pair, gw, p));
        out.println(
            "   wrote "
                + p.keepalivedConf().getFileName()
                + ", "
                + p.conntrackdConf().getFileName()
                + ", "
                + p.notifyScript().getFileName());
        HaDemoPair.apply(
            network, gw, desired, dir.resolve(gw).resolve("state"), l -> out.println("   " + l));
      }
      step("starting conntrackd and keepalived on both gateways (VRRP advert every 100 ms)");
      // gw-a first: both start as BACKUP without preemption, so whichever claims the addresses
      // first keeps them; this way the demo always begins with gw-a active.
      HaDemoPair.startDaemons(network, "gw-a", paths.get("gw-a"));
      HaDemoPair.awaitState(paths.get("gw-a"), "MASTER");
      HaDemoPair.startDaemons(network, "gw-b", paths.get("gw-b"));
      String active = awaitMaster(paths, Optional.empty());
      String standby = other(active);
      HaDemoPair.awaitState(paths.get(standby), "BACKUP");
      out.println(
          "   " + active + ": MASTER (holds the virtual addresses), " + standby + ": BACKUP");

      step(
          "backend: stream server on "
              + HaDemoNetwork.BACKEND
              + ":"
              + STREAM_PORT
              + ";  client: downloading from "
              + HaDemoNetwork.VIRTUAL_PUBLIC
              + ":"
              + HaDemoPair.FORWARDED_PORT);
      Path serverReport = dir.resolve("server.txt");
      Path clientReport = dir.resolve("client.txt");
      Path stop = dir.resolve("stop");
      startStream(network, serverReport, clientReport, stop);
      HaDemoPair.awaitSynced(network, standby, paths.get(standby));
      out.println("   " + standby + "'s conntrackd holds a copy of the connection");

      List<Long> times = new ArrayList<>();
      for (int i = 1; i <= failovers; i++) {
        Thread.sleep(1000); // the stream runs a while through the active gateway
        // A gateway that came back may have taken over on its own (it missed the first adverts
        // while its links came up): kill whichever holds the addresses now, and say so.
        String master = currentMaster(paths).orElse(active);
        if (!master.equals(active)) {
          out.println("   (" + master + " became MASTER again by itself after it came back)");
          active = master;
        }
        step(
            "killing "
                + active
                + (failovers > 1 ? " (failover " + i + " of " + failovers + ")" : "")
                + ": links down, keepalived and conntrackd killed");
        long killed = HaDemoPair.kill(network, active, paths.get(active));
        String survivor = other(active);
        HaDemoPair.awaitState(paths.get(survivor), "MASTER");
        out.println(
            "   " + survivor + ": MASTER after " + (System.currentTimeMillis() - killed) + " ms");
        long resumed = awaitResumed(clientReport, killed);
        times.add(resumed < 0 ? -1 : resumed - killed);
        out.println(
            resumed < 0
                ? "   the stream did not resume through " + survivor
                : "   first byte through "
                    + survivor
                    + " "
                    + (resumed - killed)
                    + " ms after the kill");
        if (resumed < 0) {
          CommandResult table = network.runner(survivor).run(List.of("conntrack", "-L"));
          out.println("   " + survivor + "'s connection tracking table:");
          table.stdout().lines().forEach(l -> out.println("     " + l));
          showLogs(dir);
          break;
        }
        if (i < failovers) {
          step("bringing " + active + " back as backup");
          HaDemoPair.revive(network, active, paths.get(active));
          HaDemoPair.awaitState(paths.get(active), "BACKUP");
          HaDemoPair.awaitSynced(network, active, paths.get(active));
          out.println(
              "   " + active + ": BACKUP, its conntrackd holds a copy of the connection again");
        }
        active = survivor;
      }
      Thread.sleep(1000);
      Files.writeString(stop, "stop\n");
      Map<String, String> client = awaitReport(clientReport);
      boolean kept = !client.containsKey("error") && times.stream().allMatch(t -> t >= 0);
      long received = Long.parseLong(client.getOrDefault("received", "0"));
      long wrong = Long.parseLong(client.getOrDefault("wrong", "0"));
      step(
          "the client read "
              + received
              + " bytes, "
              + wrong
              + " of them not the bytes expected"
              + client.getOrDefault("error", "").transform(e -> e.isEmpty() ? "" : "; " + e));
      step("deleting the namespaces");
      return new Outcome(List.copyOf(times), kept, received, wrong);
    } catch (IOException e) {
      showLogs(dir);
      throw e;
    } finally {
      deleteTree(dir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
      out.println("   done: nothing of the demo is left");
      out.flush();
    }
  }

  /** The last lines of each gateway's keepalived and conntrackd logs, to show why a step failed. */
  private void showLogs(Path dir) {
    for (String gw : HaDemoNetwork.GATEWAYS) {
      for (String log : List.of("keepalived.log", "conntrackd.log")) {
        Path file = dir.resolve(gw).resolve("run").resolve(log);
        try {
          List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
          out.println("   " + gw + " " + log + ":");
          lines
              .subList(Math.max(0, lines.size() - 15), lines.size())
              .forEach(l -> out.println("     " + TerminalText.escape(l)));
        } catch (IOException | RuntimeException unreadable) {
          // nothing to show
        }
      }
    }
    out.flush();
  }

  /** The one gateway whose recorded state is MASTER; empty when none or both are. */
  private static Optional<String> currentMaster(Map<String, HaPaths> paths) throws IOException {
    List<String> masters = new ArrayList<>();
    for (String gw : HaDemoNetwork.GATEWAYS) {
      if (HaDemoPair.state(paths.get(gw)).equals("MASTER")) {
        masters.add(gw);
      }
    }
    return masters.size() == 1 ? Optional.of(masters.get(0)) : Optional.empty();
  }

  private static String other(String gateway) {
    return gateway.equals("gw-a") ? "gw-b" : "gw-a";
  }

  private String awaitMaster(Map<String, HaPaths> paths, Optional<String> not)
      throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + HaDemoPair.STATE_WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      for (String gw : HaDemoNetwork.GATEWAYS) {
        if (HaDemoPair.state(paths.get(gw)).equals("MASTER") && !not.equals(Optional.of(gw))) {
          return gw;
        }
      }
      Thread.sleep(20);
    }
    throw new IOException(
        "no gateway became VRRP master within " + HaDemoPair.STATE_WAIT_MILLIS / 1000 + " s");
  }

  private void startStream(HaDemoNetwork network, Path serverReport, Path clientReport, Path stop)
      throws IOException, InterruptedException {
    network.spawn(
        "backend",
        java(StreamServer.class, Integer.toString(STREAM_PORT), "600", serverReport.toString()));
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      CommandResult ss =
          network.runner("backend").run(List.of("ss", "-Hltn", "sport", "= :" + STREAM_PORT));
      if (ss.succeeded() && !ss.stdout().isBlank()) {
        break;
      }
      Thread.sleep(100);
    }
    network.spawn(
        "client",
        java(
            StreamClient.class,
            HaDemoNetwork.VIRTUAL_PUBLIC,
            Integer.toString(HaDemoPair.FORWARDED_PORT),
            "600",
            clientReport.toString(),
            stop.toString()));
  }

  /** The wall-clock time the first byte arrived after {@code killed}; -1 after 15 s without. */
  private static long awaitResumed(Path clientReport, long killed)
      throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      for (String line : Files.readAllLines(clientReport, StandardCharsets.UTF_8)) {
        String[] f = line.split(" ");
        // The failover's pause: the first to end after the kill that is longer than a busy
        // machine's scheduling hiccup (VRRP alone takes three adverts). It may start after the
        // kill: the client still reads what its socket buffered.
        if (f[0].equals("pause")
            && Long.parseLong(f[2]) > killed
            && Long.parseLong(f[2]) - Long.parseLong(f[1]) >= MIN_FAILOVER_PAUSE_MILLIS) {
          return Long.parseLong(f[2]);
        }
        if (f[0].equals("error")) {
          return -1;
        }
      }
      Thread.sleep(20);
    }
    return -1;
  }

  private static Map<String, String> awaitReport(Path clientReport)
      throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      Map<String, String> fields = new HashMap<>();
      for (String line : Files.readAllLines(clientReport, StandardCharsets.UTF_8)) {
        int space = line.indexOf(' ');
        if (space > 0 && !line.startsWith("pause")) {
          fields.put(line.substring(0, space), line.substring(space + 1));
        }
      }
      if (fields.containsKey("wrong")) {
        return fields;
      }
      Thread.sleep(50);
    }
    throw new IOException("the stream client did not finish");
  }

  private static List<String> java(Class<?> main, String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                codeSource(),
                main.getName()));
    argv.addAll(List.of(args));
    return argv;
  }

  private static String codeSource() {
    try {
      return Path.of(HaDemo.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DesiredState compile() {
    try {
      return Compiler.compile(TableParser.parse("demo.table", TABLE).table());
    } catch (CompileException e) {
      throw new IllegalStateException("the demo's table is broken: " + e.getMessage(), e);
    }
  }

  private void step(String text) {
    out.println(++steps + ". " + text);
    out.flush();
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // best effort: a temporary folder
    }
  }
}
