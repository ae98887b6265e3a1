package dev.portfwd.nft;

import java.util.ArrayList;
import java.util.List;

/**
 * One change to portfwd's table: an ordered list of nft commands that {@code nft -f -} applies as
 * one kernel transaction (all or nothing). {@link #toString()} is exactly the script sent, so dry
 * runs ({@code plan --script}), logs and golden tests show the same text.
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

  /** The commands in order. */
  List<String> commands() {
    return List.copyOf(commands);
  }

  NftTransaction add(String command) {
    commands.add(command);
    return this;
  }

  NftTransaction addElements(String set, List<NftElement> elements) {
    return elements("add", set, elements, NftElement::render);
  }

  NftTransaction deleteElements(String set, List<NftElement> elements) {
    // nft deletes a map element by its key alone.
    return elements("delete", set, elements, NftElement::keyText);
  }

  private NftTransaction elements(String verb, String set, List<NftElement> elements,
      java.util.function.Function<NftElement, String> text) {
    for (int from = 0; from < elements.size(); from += ELEMENTS_PER_COMMAND) {
      List<NftElement> chunk = elements.subList(from, Math.min(elements.size(), from + ELEMENTS_PER_COMMAND));
      commands.add(verb + " element " + TABLE + " " + set + " { "
          + String.join(", ", chunk.stream().map(text).toList()) + " }");
    }
    return this;
  }

  @Override
  public String toString() {
    return commands.isEmpty() ? "" : String.join("\n", commands) + "\n";
  }
}
