package dev.portfwd.training;

import dev.portfwd.cli.Portfwd;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.ApplyRequest;
import dev.portfwd.engine.Engine;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.host.Root;
import dev.portfwd.nft.NftBackend;
import dev.portfwd.nft.NftCommandKernel;
import dev.portfwd.nft.TrainingListing;
import dev.portfwd.service.ControlClient;
import dev.portfwd.service.ControlServer;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.TableReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The training run {@code bin/portfwd} records a class-data-sharing archive from: a start-up trick,
 * kept apart from the commands. It goes through what {@code check} and a first and a second {@code
 * apply} do, with a kernel stand-in instead of nft, so the classes those commands load (picocli's
 * model, the table parser, the compiler, the engine, the nft backend, Jackson, the state files) are
 * mapped from the archive on later runs instead of being loaded and verified from the jar. Needs no
 * root and changes nothing outside a temporary directory; every step is best effort, because a
 * failing step only makes the archive smaller.
 */
public final class CdsTraining {

  /** Lines in the syntax variants the parser and compiler have separate paths for. */
  private static final List<String> TABLE =
      List.of(
          "# Ext-port   Int-IP       Int-port  Proto  Options   # Description",
          "13102 192.0.2.2 80 # web \"server\" \\ one",
          "13103 192.0.2.3 80 tcp",
          "13110-13119 192.0.2.2 RANGE udp masquerade=no # game",
          "13120:13129 192.0.2.4 9000-9009 tcp,udp # shifted",
          "198.51.100.7:443 192.0.2.5 8443 tcp from=203.0.113.0/24,198.51.100.0/25 # restricted",
          "[2001:db8::1]:8080 2001:db8:2::2 80 tcp # six",
          "8081 2001:db8:2::3 # six, any address",
          "8082 192.0.2.6 80 tcp masquerade=yes");

  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("portfwd-cds");
    PrintWriter out = new PrintWriter(OutputStream.nullOutputStream());
    try {
      Path table = dir.resolve("ports.txt");
      Files.write(table, TABLE, StandardCharsets.UTF_8);
      Path changed = dir.resolve("changed.txt");
      Files.write(changed, TABLE.subList(0, TABLE.size() - 1), StandardCharsets.UTF_8);
      commandLine(out, "--version");
      commandLine(out, "check", table.toString());
      commandLine(out, "check", "--json", table.toString());
      if (args.length > 0) {
        commandLine(out, "check", args[0]);
      }
      Portfwd.newCommandLine()
          .parseArgs("apply", "--no-sysctl", "--state-dir", dir.toString(), table.toString());
      quietly(() -> Root.require(new ProcessCommandRunner()));
      StandInRunner runner = new StandInRunner();
      Engine engine =
          Engine.forHost(
              new NftBackend(new NftCommandKernel(runner)),
              runner,
              new StateStore(dir.resolve("state")),
              Engine.NO_TIMER,
              line -> {});
      quietly(() -> apply(engine, runner, table));
      quietly(() -> apply(engine, runner, changed));
      quietly(
          () -> new StateStore(dir.resolve("state")).current().orElseThrow().snapshot().forwards());
      quietly(() -> throughTheService(dir));
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /**
   * What a client of a running service loads: the control socket's client and protocol, against a
   * stand-in service that answers every request at once.
   */
  private static void throughTheService(Path dir) throws IOException {
    Path socket = dir.resolve("control").resolve("portfwd.sock");
    ControlServer.Handler answer =
        new ControlServer.Handler() {
          @Override
          public Optional<String> refusal(ControlServer.Request request) {
            return Optional.empty();
          }

          @Override
          public int run(
              ControlServer.Request request,
              InputStream stdin,
              PrintWriter stdout,
              PrintWriter stderr) {
            stdout.println("ok");
            return 0;
          }
        };
    try (ControlServer server = ControlServer.start(socket, answer, line -> {})) {
      PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
      ControlClient.run(
          new String[] {"status"},
          Map.of(ControlClient.ENV, socket.toString(), "PORTFWD_STATE_DIR", dir.toString()),
          InputStream.nullInputStream(),
          sink,
          sink);
    }
  }

  private static void commandLine(PrintWriter out, String... args) {
    quietly(
        () ->
            Portfwd.newCommandLine(InputStream.nullInputStream())
                .setOut(out)
                .setErr(out)
                .execute(args));
  }

  /**
   * What {@code apply} does with {@code table}, through the engine, against the stand-in kernel.
   */
  private static void apply(Engine engine, StandInRunner runner, Path table) throws Exception {
    DesiredState desired =
        Compiler.compile(TableReader.read(table.toString(), InputStream.nullInputStream()).table());
    engine.apply(
        new ApplyRequest(
            desired,
            table.toString(),
            /* useRecord= */ true,
            /* managesSysctls= */ false,
            Optional.empty()));
    runner.listing = TrainingListing.of(desired);
  }

  private static void quietly(Step step) {
    try {
      step.run();
    } catch (Exception e) {
      // Only the archive's coverage suffers.
    }
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  /** Root, nft that takes every transaction and lists what was applied last, empty iptables. */
  private static final class StandInRunner implements CommandRunner {
    private String listing;

    @Override
    public CommandResult run(List<String> argv, String stdin) {
      String program = argv.get(0);
      if (program.equals("id")) {
        return new CommandResult(argv, 0, "0\n", "");
      }
      if (program.equals("nft") && argv.contains("-f")) {
        return new CommandResult(argv, 0, "", "");
      }
      if (program.equals("nft") && argv.contains("-j") && listing != null) {
        return new CommandResult(argv, 0, listing, "");
      }
      if (program.equals("nft")) {
        return new CommandResult(argv, 1, "", "Error: No such file or directory\n");
      }
      if (program.startsWith("iptables") || program.startsWith("ip6tables")) {
        return new CommandResult(argv, 0, "", ""); // works, holds nothing: the probe auto makes
      }
      return new CommandResult(argv, 1, "", program + ": not available in the training run\n");
    }

    @Override
    public boolean isInstalled(String program) {
      return true;
    }
  }
}
