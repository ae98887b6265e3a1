package dev.portfwd.cli;

import dev.portfwd.apply.Host;
import dev.portfwd.apply.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.nft.TrainingListing;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.TableParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run {@code bin/portfwd} records a class-data-sharing archive from: it goes through
 * what {@code check} and a first and a second {@code apply} do, with a kernel stand-in instead of
 * nft, so the classes those commands load (picocli's model, the table parser, the compiler, the
 * nft backend, Jackson, the state files) are mapped from the archive on later runs instead of
 * being loaded and verified from the jar. Needs no root and changes nothing outside a temporary
 * directory; every step is best effort, because a failing step only makes the archive smaller.
 */
public final class CdsTraining {

  /** Lines in the syntax variants the parser and compiler have separate paths for. */
  private static final List<String> TABLE = List.of(
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
      Portfwd.newCommandLine().parseArgs("apply", "--no-sysctl", "--state-dir", dir.toString(), table.toString());
      quietly(() -> new Host(new ProcessCommandRunner()).requireRoot());
      StandInRunner runner = new StandInRunner();
      quietly(() -> apply(runner, table, dir, out));
      quietly(() -> apply(runner, changed, dir, out));
      quietly(() -> new StateStore(dir.resolve("state")).current().orElseThrow().snapshot().forwards());
      quietly(() -> TableParser.parse("large.txt", largeTable()));
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** Enough lines for TableParser's parallel path, whose stream classes a large apply loads. */
  private static String largeTable() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      text.append(20_000 + i).append(" 192.0.2.2 ").append(80 + i % 100).append('\n');
    }
    return text.toString();
  }

  private static void commandLine(PrintWriter out, String... args) {
    quietly(() -> Portfwd.newCommandLine(InputStream.nullInputStream()).setOut(out).setErr(out).execute(args));
  }

  /** What {@link ApplyCommand#run} does, with {@code runner} in place of the host. */
  private static void apply(StandInRunner runner, Path table, Path dir, PrintWriter out) {
    DesiredState desired = KernelSession.compile(TableLoader.load(table.toString(), InputStream.nullInputStream(),
        out), out);
    KernelSession session = KernelSession.open(BackendChoice.auto, runner);
    Plan plan = KernelSession.call(() -> session.backend.plan(desired));
    StateOptions state = new StateOptions();
    state.stateDir = dir.resolve("state");
    SafeApplyStep safe = SafeApplyStep.begin(state, session, plan, table.toString(), false, null, out);
    try (safe) {
      KernelSession.call(() -> {
        session.backend.apply(plan);
        return null;
      });
      safe.applied();
    }
    runner.listing = TrainingListing.of(desired);
    PlanCommand.print(plan, out, 50);
    ApplyCommand.cleanConntrack(session, plan, out);
    safe.awaitConfirmation(session, out, out);
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
