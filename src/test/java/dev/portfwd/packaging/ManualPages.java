package dev.portfwd.packaging;

import dev.portfwd.cli.Portfwd;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes, at build time, what the Debian package installs besides the jar, from portfwd's picocli
 * model so neither can drift from {@code --help}: the AsciiDoc source of {@code portfwd(8)} (every
 * command's synopsis, description, options and arguments, the exit codes, and the hand-written
 * sections of {@code packaging/man}), and the bash completion script (zsh loads the same one).
 * Maven runs it after the tests compile ({@code pom.xml}, exec-maven-plugin); AsciidoctorJ turns
 * the page into troff. A build-time tool, so it lives with the tests and picocli-codegen never
 * reaches the shipped jar.
 */
public final class ManualPages {

  private ManualPages() {}

  /** {@code ManualPages OUT_DIR HAND_WRITTEN_DIR}. */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Path handWritten = Path.of(args[1]).toAbsolutePath();
    Path generated = out.resolve("generated");
    Files.createDirectories(generated);
    CommandLine portfwd = Portfwd.newCommandLine();
    write(generated.resolve("portfwd.adoc"), portfwd);
    writeSubcommands(generated, "portfwd", portfwd);
    Path source = out.resolve("portfwd.8.adoc");
    Files.writeString(source, page(portfwd, generated, handWritten));
    try (Asciidoctor asciidoctor = Asciidoctor.Factory.create()) {
      asciidoctor.convertFile(
          source.toFile(),
          Options.builder()
              .backend("manpage")
              .safe(SafeMode.UNSAFE) // includes by absolute path, of files this build wrote
              .toFile(out.resolve("portfwd.8").toFile())
              .build());
    }
    // Sourced, never run: no "#!" line (Debian's bash-completion folder wants none).
    String completion = AutoComplete.bash("portfwd", portfwd).replaceFirst("\\A#![^\n]*\n", "");
    Files.writeString(out.resolve("portfwd.bash"), completion, StandardCharsets.UTF_8);
  }

  /** The generated source of every subcommand, nested ones too ({@code portfwd-token-create}). */
  private static void writeSubcommands(Path generated, String prefix, CommandLine command)
      throws IOException {
    for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
      String name = prefix + "-" + sub.getKey();
      write(generated.resolve(name + ".adoc"), sub.getValue());
      writeSubcommands(generated, name, sub.getValue());
    }
  }

  private static void write(Path file, CommandLine command) throws IOException {
    try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(file))) {
      ManPageGenerator.writeSingleManPage(writer, command.getCommandSpec());
    }
  }

  /** The one page: every visible command in the order help lists them. */
  static String page(CommandLine portfwd, Path generated, Path handWritten) {
    String version = portfwd.getCommandSpec().version()[0];
    StringBuilder page = new StringBuilder();
    page.append(":doctype: manpage\n")
        .append(":manmanual: portfwd manual\n")
        .append(":mansource: ")
        .append(version)
        .append("\n:man-linkstyle: pass:[blue R < >]\n")
        .append("= portfwd(8)\n\n");
    include(page, generated.resolve("portfwd.adoc"), "name", 0);
    include(page, generated.resolve("portfwd.adoc"), "synopsis", 0);
    page.append("include::").append(handWritten.resolve("description.adoc")).append("[]\n\n");
    include(page, generated.resolve("portfwd.adoc"), "options", 0);
    page.append("== Commands\n\n");
    commands(page, generated, "portfwd", portfwd);
    page.append("include::").append(handWritten.resolve("table.adoc")).append("[]\n\n");
    include(page, generated.resolve("portfwd.adoc"), "exit-status", 0);
    page.append("include::").append(handWritten.resolve("files.adoc")).append("[]\n");
    return page.toString();
  }

  /**
   * A section per visible subcommand of {@code command}, each followed by its own subcommands
   * ({@code portfwd token} by {@code portfwd token create}, {@code list}, {@code revoke}).
   */
  private static void commands(
      StringBuilder page, Path generated, String prefix, CommandLine command) {
    for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
      if (sub.getValue().getCommandSpec().usageMessage().hidden()) {
        continue;
      }
      String name = prefix + " " + sub.getKey();
      Path file = generated.resolve(name.replace(' ', '-') + ".adoc");
      page.append("=== ").append(name).append("\n\n");
      for (String section : new String[] {"synopsis", "description", "options", "arguments"}) {
        include(page, file, section, 2);
      }
      commands(page, generated, name, sub.getValue());
    }
  }

  /** An include of one generated section, its headings {@code levels} deeper. */
  private static void include(StringBuilder page, Path file, String section, int levels) {
    page.append("include::")
        .append(file)
        .append("[tag=picocli-generated-man-section-")
        .append(section)
        .append(levels == 0 ? "" : ",leveloffset=+" + levels)
        .append("]\n\n");
  }
}
