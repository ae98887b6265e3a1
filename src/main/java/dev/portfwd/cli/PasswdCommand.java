package dev.portfwd.cli;

import dev.portfwd.web.PasswordFile;
import dev.portfwd.web.PasswordHasher;
import dev.portfwd.web.SecretFiles;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd passwd}: sets the dashboard password, stored as its argon2id hash (mode 0600) in
 * the state directory. A running service uses it at the next login and ends the sessions opened
 * under the old one.
 */
@Command(
    name = "passwd",
    mixinStandardHelpOptions = true,
    description = {
      "Set the password of the dashboard that 'watch --http' serves.",
      "Stored as an argon2id hash, readable by root only, in the state directory; the service uses it at"
          + " once and logs out every session opened under the old one."
    })
final class PasswdCommand implements Runnable {

  static final int MIN_LENGTH = 10;

  @Spec CommandSpec spec;

  @ParentCommand Portfwd root;

  @Mixin StateOptions state;

  @Option(
      names = "--stdin",
      description = "Read the password from the first line of standard input (for scripts).")
  boolean fromStdin;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    char[] password = fromStdin ? firstLine() : typed();
    try {
      if (password.length < MIN_LENGTH) {
        throw PortfwdException.invalidInput(
            "the password must have at least " + MIN_LENGTH + " characters; nothing was changed");
      }
      // The hash decides who may change the kernel from the page: like every record of the
      // state directory, it is written only where no other user could replace it.
      SecretFiles files = new SecretFiles(state.store().requireSafe());
      PasswordFile file = new PasswordFile(files.passwordFile());
      file.set(password, PasswordHasher.standard());
      out.println("dashboard password set (argon2id hash in " + file.path() + ")");
      out.flush();
    } catch (IOException e) {
      throw PortfwdException.failure("cannot write the password hash: " + e.getMessage(), e);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private char[] firstLine() {
    try {
      String line =
          new BufferedReader(new InputStreamReader(root.stdin(), StandardCharsets.UTF_8))
              .readLine();
      return line == null ? new char[0] : line.toCharArray();
    } catch (IOException e) {
      throw PortfwdException.failure("cannot read standard input: " + e.getMessage(), e);
    }
  }

  private static char[] typed() {
    Console console = System.console();
    if (console == null) {
      throw PortfwdException.invalidInput(
          "no terminal to type the password on: use --stdin to read it from standard input");
    }
    char[] first = console.readPassword("New dashboard password: ");
    char[] second = console.readPassword("Again: ");
    if (first == null || second == null || !Arrays.equals(first, second)) {
      throw PortfwdException.invalidInput("the passwords differ; nothing was changed");
    }
    Arrays.fill(second, '\0');
    return first;
  }
}
