package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portfwd.table.TableReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code portfwd check} as a user sees it: golden files pin the exact text and JSON, so any change
 * of output shows up in review. Regenerate with {@code -Dportfwd.golden.update=true}.
 */
class CheckCommandTest {

  private static final Path GOLDEN = Path.of("src/test/resources/check");

  @Test
  void printsTheFourForwardsOfTheShippedExample() {
    Run run = run("", "check", "examples/seed-ports.txt");

    assertThat(run.exitCode).isZero();
    assertThat(run.err).isEmpty();
    assertThat(run.out.lines().skip(1))
        .containsExactly(
            "2     13102     tcp,udp  172.16.0.2:80     -        Netbook Apache",
            "3     13103     tcp,udp  172.16.0.3:80     -        D800 Apache",
            "4     13110     tcp,udp  172.16.0.2:13110  -        Sauerbraten",
            "5     13111     tcp,udp  172.16.0.2:13111  -        Sauerbraten Ping");
  }

  @Test
  void printsAnAlignedTableOfEveryColumn() throws IOException {
    Run run = run("", "check", GOLDEN.resolve("mixed.table").toString());

    assertThat(run.exitCode).isZero();
    assertGolden("mixed.out", run.out);
  }

  @Test
  void printsJsonForScripts() throws IOException {
    Run run = run("", "check", "--json", GOLDEN.resolve("mixed.table").toString());

    assertThat(run.exitCode).isZero();
    assertGolden("mixed.json", run.out);
    JsonNode json = new ObjectMapper().readTree(run.out);
    assertThat(json.get("forwards")).hasSize(5);
    assertThat(json.get("forwards").get(1).get("backendPorts").get("first").asInt())
        .isEqualTo(9000);
  }

  @Test
  void reportsEveryErrorWithPlaceAndCaretAndExitsTwo() throws IOException {
    Run run = run("", "check", GOLDEN.resolve("broken.table").toString());

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.out).isEmpty();
    assertGolden("broken.err", run.err);
  }

  @Test
  void putsDiagnosticsIntoJsonAndStillExitsTwo() throws IOException {
    Run run = run("", "check", "--json", GOLDEN.resolve("broken.table").toString());

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    JsonNode json = new ObjectMapper().readTree(run.out);
    assertThat(json.get("valid").asBoolean()).isFalse();
    assertThat(json.get("diagnostics").get(0).get("line").asInt()).isEqualTo(1);
    assertThat(json.get("diagnostics").get(0).get("column").asInt()).isEqualTo(7);
  }

  @Test
  void readsStandardInputForDash() {
    Run run = run("443 192.0.2.2 tcp # web\n", "check", "-");

    assertThat(run.exitCode).isZero();
    assertThat(run.out).contains("443       tcp    192.0.2.2:443");
  }

  @Test
  void namesTheFileInMessagesFromStandardInput() {
    Run run = run("443 192.0.2.300\n", "check", "-");

    assertThat(run.err).startsWith("<stdin>:1:5: error: ");
  }

  @Test
  void warningsAloneDoNotFail() {
    Run run = run("22 192.0.2.2\n", "check", "-");

    assertThat(run.exitCode).isZero();
    assertThat(run.err).contains("<stdin>:1:1: warning: this forward takes port 22");
  }

  @Test
  void missingFileIsAnOperationalFailure(@TempDir Path dir) {
    Run run = run("", "check", dir.resolve("nope.txt").toString());

    assertThat(run.exitCode).isEqualTo(ExitCode.FAILURE);
    assertThat(run.err).isEqualTo("portfwd: " + dir.resolve("nope.txt") + ": no such file\n");
  }

  @Test
  void printsJsonForAMissingFileAndStillExitsOne(@TempDir Path dir) throws IOException {
    String missing = dir.resolve("nope.txt").toString();

    Run run = run("", "check", "--json", missing);

    assertThat(run.exitCode).isEqualTo(ExitCode.FAILURE);
    assertThat(run.err).isEqualTo("portfwd: " + missing + ": no such file\n");
    JsonNode json = new ObjectMapper().readTree(run.out);
    assertThat(json.get("source").asText()).isEqualTo(missing);
    assertThat(json.get("valid").asBoolean()).isFalse();
    assertThat(json.get("forwards")).isEmpty();
    assertThat(json.get("diagnostics")).hasSize(1);
    JsonNode error = json.get("diagnostics").get(0);
    assertThat(error.get("file").asText()).isEqualTo(missing);
    assertThat(error.get("line").asInt()).isZero();
    assertThat(error.get("column").asInt()).isZero();
    assertThat(error.get("severity").asText()).isEqualTo("error");
    assertThat(error.get("message").asText()).isEqualTo(missing + ": no such file");
  }

  @Test
  void printsJsonForADirectoryAndStillExitsTwo(@TempDir Path dir) throws IOException {
    Run run = run("", "check", "--json", dir.toString());

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    JsonNode json = new ObjectMapper().readTree(run.out);
    assertThat(json.get("valid").asBoolean()).isFalse();
    assertThat(json.get("diagnostics").get(0).get("message").asText())
        .startsWith(dir + ": is a directory");
  }

  @Test
  void unknownOptionIsAUsageError() {
    Run run = run("", "check", "--jsn");

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.err).contains("Unknown option: '--jsn'");
  }

  @Test
  void saysSoForAnEmptyTable(@TempDir Path dir) throws IOException {
    Path table = Files.writeString(dir.resolve("empty.txt"), "# nothing yet\n");

    Run run = run("", "check", table.toString());

    assertThat(run.exitCode).isZero();
    assertThat(run.out).isEqualTo("no forwards in " + table + "\n");
  }

  @Test
  void refusesDevZeroWithExitTwoInsteadOfRunningOutOfMemory() {
    Run run =
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("", "check", "/dev/zero"));

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.err)
        .isEqualTo(
            "portfwd: /dev/zero: is a character device, not a table file; name a regular file, or"
                + " '-' to read standard input\n");
  }

  @Test
  void refusesAFifoWithExitTwoInsteadOfHanging(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("ports.txt");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "no mkfifo");

    Run run =
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("", "check", fifo.toString()));

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.err).contains("is a FIFO (named pipe), not a table file");
  }

  @Test
  void refusesMoreThanSixteenMebibytesOnStandardInput() {
    Run run = run("#".repeat(TableReader.MAX_TABLE_BYTES + 1), "check", "-");

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.err)
        .isEqualTo(
            "portfwd: <stdin>: a table may hold at most 16 MiB (16,777,216 bytes); this one"
                + " holds more than that\n");
  }

  @Test
  void aFortyKilobyteLineOfErrorsKeepsStandardErrorSmall() {
    // The reproducer of issue 12 wrote 1.2 GB: 19,998 errors, each echoing the whole line.
    String line = "2 ".repeat(20_000).strip();

    Run run = run(line + "\n", "check", "-");

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.err.length()).isLessThan(4_000);
    assertThat(run.err.lines().filter(l -> l.startsWith("<stdin>:1:"))).hasSize(11);
    assertThat(run.err)
        .contains("<stdin>:1:25: note: … and 19,988 more errors on this line")
        .endsWith("portfwd: 19998 errors in <stdin>\n");
  }

  @Test
  void escapesAnEscapeSequenceInTheEchoedLine() {
    Run run = run("80 192.0.2.2 # \u001b]0;pwned\u0007\n", "check", "-");

    assertThat(run.exitCode).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.err)
        .isEqualTo(
            "<stdin>:1:16: error: control character U+001B is not allowed in a table\n"
                + "80 192.0.2.2 # \\x1b]0;pwned\\x07\n"
                + "               ^\n"
                + "portfwd: 1 error in <stdin>\n");
  }

  @Test
  void escapesBidiAndZeroWidthCharactersOfDescriptionsInTheTable() {
    Run run = run("80 192.0.2.2 # admin\u202e\u2066txt.exe\u200b\n", "check", "-");

    assertThat(run.exitCode).isZero();
    assertThat(run.out)
        .contains("admin\\u202e\\u2066txt.exe\\u200b")
        .doesNotContain("\u202e", "\u2066", "\u200b");
  }

  @Test
  void cutsALongDescriptionInTheTableButNotInJson() throws IOException {
    String description = "d".repeat(2_000_000);
    String table = "80 192.0.2.2 # " + description + "\n";

    Run text = run(table, "check", "-");
    Run json = run(table, "check", "--json", "-");

    assertThat(text.exitCode).isZero();
    assertThat(text.out.length()).isLessThan(300);
    assertThat(text.out)
        .contains("d".repeat(CheckCommand.SHOWN_DESCRIPTION_CHARS) + "…\n")
        .doesNotContain("d".repeat(CheckCommand.SHOWN_DESCRIPTION_CHARS + 1));
    assertThat(
            new ObjectMapper()
                .readTree(json.out)
                .get("forwards")
                .get(0)
                .get("description")
                .asText())
        .isEqualTo(description);
  }

  @Test
  void printsTheVersion() {
    assertThat(run("", "--version").out).matches("portfwd \\d+\\.\\d+\\.\\d+.*\n");
  }

  record Run(int exitCode, String out, String err) {}

  static Run run(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine =
        Portfwd.newCommandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  private static void assertGolden(String name, String actual) throws IOException {
    Path file = GOLDEN.resolve(name);
    if (Boolean.getBoolean("portfwd.golden.update")) {
      Files.writeString(file, actual);
    }
    // A missing golden file fails: writing it here would pass a test that compared nothing.
    assertThat(file)
        .as("golden file (write it with -Dportfwd.golden.update=true, then review it)")
        .isRegularFile();
    assertThat(actual).as(file.toString()).isEqualTo(Files.readString(file));
  }
}
