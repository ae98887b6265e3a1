package dev.portfwd.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory nft that understands the commands portfwd sends. A transaction runs on a deep copy
 * of the state, which replaces the state only when every command succeeded: a failed batch changes
 * nothing, as in the kernel. Stricter than nft where that catches planner bugs: adding an element
 * whose key exists, or deleting one that does not, fails.
 */
final class FakeNftKernel implements NftKernel {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern SET =
      Pattern.compile("add (map|set) inet portfwd (\\w+) \\{(.*)\\}");
  private static final Pattern CHAIN = Pattern.compile("add chain inet portfwd (\\w+)( \\{.*\\})?");
  private static final Pattern RULE = Pattern.compile("add rule inet portfwd (\\w+) (.*)");
  private static final Pattern FLUSH_SET = Pattern.compile("flush set inet portfwd (\\w+)");
  private static final Pattern ELEMENTS =
      Pattern.compile("(add|delete) element inet portfwd (\\w+) \\{ (.*) \\}");

  /**
   * One set or map with its elements by key text; {@code spec} is its declaration ({@code type ...;
   * flags ...;}), which a second {@code add} must repeat exactly, as the kernel requires.
   */
  private record FakeSet(
      boolean map, boolean interval, String spec, Map<String, NftElement> elements) {
    FakeSet copy() {
      return new FakeSet(map, interval, spec, new LinkedHashMap<>(elements));
    }
  }

  /** nft's limit on an element's comment (NFT_USERDATA_MAXLEN is 256, the comment TLV 128). */
  static final int COMMENT_LIMIT = 128;

  private static final class State {
    boolean exists;
    final Map<String, FakeSet> sets = new LinkedHashMap<>();
    final Map<String, List<String>> chains = new LinkedHashMap<>();

    State copy() {
      State copy = new State();
      copy.exists = exists;
      sets.forEach((k, v) -> copy.sets.put(k, v.copy()));
      chains.forEach((k, v) -> copy.chains.put(k, new ArrayList<>(v)));
      return copy;
    }
  }

  private State state = new State();
  private int listings;
  private String rejectContaining;

  /** Makes the next transactions fail on the first command containing {@code text}. */
  void rejectCommandsContaining(String text) {
    rejectContaining = text;
  }

  @Override
  public void run(String script) throws NftCommandException {
    State next = state.copy();
    int line = 0;
    for (String command : script.split("\n")) {
      line++;
      if (command.isBlank()) {
        continue;
      }
      if (rejectContaining != null && command.contains(rejectContaining)) {
        throw new NftCommandException(
            NftCommandException.Kind.REJECTED, "injected failure at line " + line);
      }
      apply(next, command, line);
    }
    state = next;
  }

  private static void apply(State s, String command, int line) throws NftCommandException {
    Matcher m;
    if (command.startsWith("add table inet portfwd")) {
      s.exists = true;
    } else if (command.equals("delete table inet portfwd")) {
      require(s.exists, line, "No such file or directory: table");
      s.exists = false;
      s.sets.clear();
      s.chains.clear();
    } else if ((m = SET.matcher(command)).matches()) {
      require(s.exists, line, "No such file or directory: table");
      String spec = normaliseSpec(m.group(3));
      FakeSet existing = s.sets.get(m.group(2));
      require(
          existing == null
              || (existing.map == m.group(1).equals("map") && existing.spec.equals(spec)),
          line,
          "File exists: " + m.group(1) + " " + m.group(2) + " with another type or flags");
      s.sets.putIfAbsent(
          m.group(2),
          new FakeSet(
              m.group(1).equals("map"),
              m.group(3).contains("flags interval"),
              spec,
              new LinkedHashMap<>()));
    } else if ((m = CHAIN.matcher(command)).matches()) {
      require(s.exists, line, "No such file or directory: table");
      s.chains.putIfAbsent(m.group(1), new ArrayList<>());
    } else if ((m = RULE.matcher(command)).matches()) {
      List<String> rules = s.chains.get(m.group(1));
      require(rules != null, line, "No such file or directory: chain " + m.group(1));
      for (Matcher ref = Pattern.compile("@(\\w+)").matcher(m.group(2)); ref.find(); ) {
        require(
            s.sets.containsKey(ref.group(1)),
            line,
            "No such file or directory: set " + ref.group(1));
      }
      rules.add(m.group(2));
    } else if ((m = FLUSH_SET.matcher(command)).matches()) {
      FakeSet set = s.sets.get(m.group(1));
      require(set != null, line, "No such file or directory: set " + m.group(1));
      set.elements.clear();
    } else if ((m = ELEMENTS.matcher(command)).matches()) {
      FakeSet set = s.sets.get(m.group(2));
      require(set != null, line, "No such file or directory: set " + m.group(2));
      for (String text : splitElements(m.group(3))) {
        NftElement element = parseElement(m.group(2), text);
        require(
            element.comment().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                <= COMMENT_LIMIT,
            line,
            "Error: comment too long, " + COMMENT_LIMIT + " characters maximum allowed");
        if (m.group(1).equals("add")) {
          require(
              !set.elements.containsKey(element.keyText()),
              line,
              "File exists: " + element.keyText());
          require(set.map == !element.value().isEmpty(), line, "map value mismatch: " + text);
          if (set.interval) {
            for (NftElement other : set.elements.values()) {
              require(
                  !overlaps(other.key(), element.key()), line, "conflicting intervals: " + text);
            }
          } else {
            require(
                element.key().stream().noneMatch(p -> p.contains("-") || p.contains("/")),
                line,
                "interval in a set without flags interval: " + text);
          }
          set.elements.put(element.keyText(), element);
        } else {
          require(
              set.elements.remove(element.keyText()) != null,
              line,
              "No such file or directory: " + text);
        }
      }
    } else {
      throw new NftCommandException(
          NftCommandException.Kind.REJECTED,
          "line " + line + ": fake does not understand: " + command);
    }
  }

  private static void require(boolean condition, int line, String message)
      throws NftCommandException {
    if (!condition) {
      throw new NftCommandException(
          NftCommandException.classify(message), "line " + line + ": " + message);
    }
  }

  /** Splits at commas outside quotes (comments may hold commas). */
  static List<String> splitElements(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (char c : text.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        parts.add(current.toString().strip());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString().strip());
    return parts;
  }

  static NftElement parseElement(String set, String text) {
    String comment = "";
    int quote = text.indexOf('"');
    if (quote >= 0) {
      int end = text.indexOf('"', quote + 1);
      comment = text.substring(quote + 1, end);
      text = text.substring(0, quote) + text.substring(end + 1);
    }
    text = text.replace(" comment ", " ").replace(" counter", "");
    String[] sides = text.split(" : ", 2);
    List<String> value = sides.length == 2 ? canonical(sides[1].strip().split(" \\. ")) : List.of();
    return new NftElement(set, canonical(sides[0].strip().split(" \\. ")), value, comment);
  }

  /**
   * Parts as the kernel gives them back: IPv6 addresses compressed (RFC 5952), a one-port range as
   * that port, as nft lists them.
   */
  private static List<String> canonical(String[] parts) {
    List<String> canonical = new ArrayList<>();
    for (String part : parts) {
      canonical.add(canonicalPart(part));
    }
    return List.copyOf(canonical);
  }

  private static String canonicalPart(String part) {
    Matcher range = Pattern.compile("(\\d+)-(\\d+)").matcher(part);
    if (range.matches() && range.group(1).equals(range.group(2))) {
      return range.group(1);
    }
    if (part.contains(":") && part.matches("[0-9a-fA-F:.]+(/\\d+)?")) {
      String[] prefix = part.split("/", 2);
      String address =
          dev.portfwd.model.Addresses.parse(prefix[0])
              .map(dev.portfwd.model.Addresses::format)
              .orElse(prefix[0]);
      return prefix.length == 2 ? address + "/" + prefix[1] : address;
    }
    return part;
  }

  /** A set's declaration without the spacing differences nft ignores. */
  private static String normaliseSpec(String spec) {
    return spec.strip().replaceAll("\\s+", " ").replaceAll(" ?; ?", ";");
  }

  /** True when every key part of {@code a} overlaps the same part of {@code b}. */
  private static boolean overlaps(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!partOverlaps(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean partOverlaps(String a, String b) {
    if (a.matches("\\d+(-\\d+)?") && b.matches("\\d+(-\\d+)?")) {
      // Ports, or the slots of a spread map (up to 720719): compared as plain intervals.
      long[] x = interval(a);
      long[] y = interval(b);
      return x[0] <= y[1] && y[0] <= x[1];
    }
    if (a.matches("[0-9a-f.:]+(/\\d+)?")
        && b.matches("[0-9a-f.:]+(/\\d+)?")
        && (a.contains(".") || a.contains(":"))) {
      var ca = NftText.parseCidr(a);
      var cb = NftText.parseCidr(b);
      return ca.contains(cb.network()) || cb.contains(ca.network());
    }
    return a.equals(b);
  }

  private static long[] interval(String text) {
    int dash = text.indexOf('-');
    long first = Long.parseLong(dash < 0 ? text : text.substring(0, dash));
    long last = dash < 0 ? first : Long.parseLong(text.substring(dash + 1));
    return new long[] {first, last};
  }

  @Override
  public Optional<String> readDigest() {
    FakeSet marker = state.exists ? state.sets.get(Skeleton.MARKER) : null;
    if (marker == null) {
      return Optional.empty();
    }
    return marker.elements.values().stream()
        .map(NftElement::comment)
        .filter(c -> !c.isEmpty())
        .findFirst();
  }

  @Override
  public boolean tableExists() {
    return state.exists;
  }

  /** How often the table was listed whole. */
  int listings() {
    return listings;
  }

  @Override
  public Optional<String> listTable(boolean counters) {
    listings++;
    if (!state.exists) {
      return Optional.empty();
    }
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode entries = root.putArray("nftables");
    entries.addObject().putObject("metainfo").put("version", "fake");
    ObjectNode table = entries.addObject().putObject("table");
    table.put("family", "inet").put("name", "portfwd");
    state.sets.forEach(
        (name, set) -> {
          ObjectNode node = entries.addObject().putObject(set.map ? "map" : "set");
          node.put("family", "inet").put("name", name).put("table", "portfwd");
          ArrayNode elems = node.putArray("elem");
          for (NftElement element : set.elements.values()) {
            if (set.map) {
              ArrayNode pair = elems.addArray();
              ObjectNode elem = pair.addObject().putObject("elem");
              elem.set("val", json(element.key()));
              if (!element.comment().isEmpty()) {
                elem.put("comment", element.comment());
              }
              elem.putObject("counter").put("packets", 0).put("bytes", 0);
              pair.add(json(element.value()));
            } else if (!element.comment().isEmpty()) {
              ObjectNode elem = elems.addObject().putObject("elem");
              elem.set("val", json(element.key()));
              elem.put("comment", element.comment());
            } else {
              elems.add(json(element.key()));
            }
          }
        });
    return Optional.of(root.toString());
  }

  private static JsonNode json(List<String> parts) {
    if (parts.size() == 1) {
      return scalar(parts.get(0));
    }
    ObjectNode concat = MAPPER.createObjectNode();
    ArrayNode list = concat.putArray("concat");
    parts.forEach(p -> list.add(scalar(p)));
    return concat;
  }

  /** The JSON nft prints for one part: numbers, ranges and prefixes typed, the rest strings. */
  private static JsonNode scalar(String part) {
    if (part.matches("\\d+")) {
      return MAPPER.getNodeFactory().numberNode(Integer.parseInt(part));
    }
    if (part.matches("\\d+-\\d+")) {
      ObjectNode range = MAPPER.createObjectNode();
      String[] ends = part.split("-");
      range.putArray("range").add(Integer.parseInt(ends[0])).add(Integer.parseInt(ends[1]));
      return range;
    }
    if (part.contains("/")) {
      ObjectNode prefix = MAPPER.createObjectNode();
      String[] pieces = part.split("/");
      prefix.putObject("prefix").put("addr", pieces[0]).put("len", Integer.parseInt(pieces[1]));
      return prefix;
    }
    return MAPPER.getNodeFactory().textNode(part);
  }

  @Override
  public void probe() {}

  /** The state as sorted lines ({@code set: element}), for exact comparisons. */
  String dump() {
    if (!state.exists) {
      return "";
    }
    TreeSet<String> lines = new TreeSet<>();
    state.sets.forEach(
        (name, set) -> {
          lines.add("set " + name);
          set.elements.values().forEach(e -> lines.add(name + ": " + e.render()));
        });
    state.chains.forEach(
        (name, rules) -> {
          lines.add("chain " + name);
          for (int i = 0; i < rules.size(); i++) {
            lines.add(name + "[" + String.format("%03d", i) + "]: " + rules.get(i));
          }
        });
    return String.join("\n", lines) + "\n";
  }
}
