package dev.portfwd.cli;

import dev.portfwd.table.TerminalText;
import dev.portfwd.web.SecretFiles;
import dev.portfwd.web.TokenStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd token create|list|revoke}: bearer tokens for scripts that use the dashboard's API.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Manage bearer tokens for the dashboard's API (Authorization: Bearer TOKEN).",
      "Tokens are stored as SHA-256 hashes in the state directory; a new token is shown once."
    },
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand {

  /**
   * The token file of the state directory, once the directory is known to be safe: a token file
   * another user could change would let them add a token of their own.
   */
  static TokenStore store(StateOptions state) throws IOException {
    SecretFiles files = new SecretFiles(state.store().requireSafe());
    return new TokenStore(files.tokenFile(), Clock.systemUTC(), new SecureRandom());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a token and print it (the only time it is shown).")
  static final class Create implements Runnable {
    @Spec CommandSpec spec;

    @Mixin StateOptions state;

    @Parameters(index = "0", paramLabel = "NAME", description = "What the token is for.")
    String name;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        out.println(store(state).create(name));
      } catch (IllegalArgumentException e) {
        throw PortfwdException.invalidInput(e.getMessage());
      } catch (IOException e) {
        throw PortfwdException.failure("cannot write the token file: " + e.getMessage(), e);
      }
      out.flush();
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the tokens: id, when created, name. Never their secrets.")
  static final class ListTokens implements Runnable {
    @Spec CommandSpec spec;

    @Mixin StateOptions state;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      List<TokenStore.Token> tokens;
      try {
        tokens = store(state).list();
      } catch (IOException e) {
        throw PortfwdException.failure("cannot read the token file: " + e.getMessage(), e);
      }
      if (tokens.isEmpty()) {
        out.println("no tokens");
      } else {
        TextTable table = new TextTable("ID", "CREATED", "NAME");
        for (TokenStore.Token token : tokens) {
          table.row(token.id(), token.created().toString(), TerminalText.escape(token.name()));
        }
        out.print(table);
      }
      out.flush();
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Delete a token: it stops working at once, in a running service too.")
  static final class Revoke implements Runnable {
    @Spec CommandSpec spec;

    @Mixin StateOptions state;

    @Parameters(index = "0", paramLabel = "ID", description = "The token's id, as 'list' shows it.")
    String id;

    @Override
    public void run() {
      try {
        if (!store(state).revoke(id)) {
          throw PortfwdException.invalidInput("no token with id '" + TerminalText.escape(id) + "'");
        }
      } catch (IOException e) {
        throw PortfwdException.failure("cannot write the token file: " + e.getMessage(), e);
      }
      spec.commandLine().getOut().println("revoked " + id);
      spec.commandLine().getOut().flush();
    }
  }
}
