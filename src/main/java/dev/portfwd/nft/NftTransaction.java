package dev.portfwd.nft;

import java.util.ArrayList;
import java.util.List;

/**
 * One change to portfwd's table: an ordered list of nft commands that {@code nft -f} applies as one
 * kernel transaction (all or nothing). {@link #toString()} is exactly the script sent, so dry runs
 * ({@code plan --script}), logs and golden tests show the same text.
 *
 * <p>Only portfwd's own table is ever named: the table name is a constant, not a parameter.
 */
public final class NftTransaction {

  /** nft's parser copes with huge element lists, but a bounded line keeps errors readable. */
  static final int ELEMENTS_PER_COMMAND = 1000;

  static final String TABLE = "inet portfwd";

  private final List<String> commands = new ArrayList<>();

  boolean isEmpty() {
    return commands.isEmpty();
  }

  NftTransaction add(String command) {
    commands.add(command);
    return this;
  }

  NftTransaction addElements(String set, List<NftElement> elements) {
    return elements("add", set, elements, true);
  }

  NftTransaction deleteElements(String set, List<NftElement> elements) {
    // nft deletes a map element by its key alone.
    return elements("delete", set, elements, false);
  }

  /** One command per chunk; each element written straight into the command's buffer. */
  private NftTransaction elements(
      String verb, String set, List<NftElement> elements, boolean whole) {
    for (int from = 0; from < elements.size(); from += ELEMENTS_PER_COMMAND) {
      int to = Math.min(elements.size(), from + ELEMENTS_PER_COMMAND);
      StringBuilder command =
          new StringBuilder(64 + (to - from) * 80)
              .append(verb)
              .append(" element ")
              .append(TABLE)
              .append(' ')
              .append(set)
              .append(" { ");
      for (int i = from; i < to; i++) {
        if (i > from) {
          command.append(", ");
        }
        if (whole) {
          elements.get(i).renderTo(command);
        } else {
          elements.get(i).keyTextTo(command);
        }
      }
      commands.add(command.append(" }").toString());
    }
    return this;
  }

  @Override
  public String toString() {
    return commands.isEmpty() ? "" : String.join("\n", commands) + "\n";
  }
}
