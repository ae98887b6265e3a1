package dev.portfwd.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory nft that understands the commands portfwd sends. A transaction runs on a deep copy
 * of the state, which replaces the state only when every command succeeded: a failed batch changes
 * nothing, as in the kernel. Like nft it refuses a rule with a word outside the statements portfwd
 * writes (its {@link #RULE_WORDS}: add one there when portfwd starts writing it, and a case to
 * {@code NftKernelContract}), a jump to a chain or a lookup in a set that does not exist, a map
 * redeclared with another type or flags, and a comment over 128 bytes; it lists keys as nft does
 * (IPv6 compressed, host bits of a prefix cleared, an address range that is a prefix as that
 * prefix, a one-port range as the port). Element counters start at zero and move only when a test
 * says so ({@link #count}). Stricter than nft where that catches planner bugs: adding an element
 * whose key exists, or deleting one that does not, fails.
 */
final class FakeNftKernel implements NftKernel {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern SET =
      Pattern.compile("add (map|set) inet portfwd (\\w+) \\{(.*)\\}");
  private static final Pattern CHAIN = Pattern.compile("add chain inet portfwd (\\w+)( \\{.*\\})?");
  private static final Pattern RULE = Pattern.compile("add rule inet portfwd (\\w+) (.*)");
  private static final Pattern FLUSH_SET = Pattern.compile("flush set inet portfwd (\\w+)");
  private static final Pattern FLUSH_CHAIN = Pattern.compile("flush chain inet portfwd (\\w+)");
  private static final Pattern ELEMENTS =
      Pattern.compile("(add|delete) element inet portfwd (\\w+) \\{ (.*) \\}");

  /**
   * One set or map with its elements by key text; {@code spec} is its declaration ({@code type ...;
   * flags ...;}), which a second {@code add} must repeat exactly, as the kernel requires.
   */
  private record FakeSet(
      boolean map,
      boolean interval,
      String spec,
      Map<String, NftElement> elements,
      Map<String, long[]> counters) {
    FakeSet copy() {
      Map<String, long[]> countersCopy = new LinkedHashMap<>();
      counters.forEach((k, v) -> countersCopy.put(k, v.clone()));
      return new FakeSet(map, interval, spec, new LinkedHashMap<>(elements), countersCopy);
    }
  }

  /**
   * The words of the rules portfwd writes, and the punctuation between them; a rule may also hold
   * numbers, addresses and prefixes, {@code @set} lookups and {@code jump CHAIN}s. nft refuses an
   * unknown word ("syntax error"), and so does the fake.
   */
  static final Set<String> RULE_WORDS =
      Set.of(
          "accept",
          "reply",
          "ct",
          "daddr",
          "direction",
          "dnat",
          "dport",
          "fib",
          "inc",
          "ip",
          "ip6",
          "ipv4",
          "ipv6",
          "jhash",
          "jump",
          "l4proto",
          "local",
          "map",
          "masquerade",
          "meta",
          "mod",
          "nfproto",
          "numgen",
          "original",
          "return",
          "saddr",
          "snat",
          "status",
          "tcp",
          "th",
          "to",
          "type",
          "udp",
          "vmap",
          "{",
          "}",
          ",",
          ":",
          ".");

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
              new LinkedHashMap<>(),
              new LinkedHashMap<>()));
    } else if ((m = CHAIN.matcher(command)).matches()) {
      require(s.exists, line, "No such file or directory: table");
      s.chains.putIfAbsent(m.group(1), new ArrayList<>());
    } else if ((m = RULE.matcher(command)).matches()) {
      List<String> rules = s.chains.get(m.group(1));
      require(rules != null, line, "No such file or directory: chain " + m.group(1));
      checkRule(s, m.group(2), line);
      rules.add(m.group(2));
    } else if ((m = FLUSH_CHAIN.matcher(command)).matches()) {
      List<String> rules = s.chains.get(m.group(1));
      require(rules != null, line, "No such file or directory: chain " + m.group(1));
      rules.clear();
    } else if ((m = FLUSH_SET.matcher(command)).matches()) {
      FakeSet set = s.sets.get(m.group(1));
      require(set != null, line, "No such file or directory: set " + m.group(1));
      set.elements.clear();
      set.counters.clear();
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
          set.counters.put(element.keyText(), new long[2]);
        } else {
          require(
              set.elements.remove(element.keyText()) != null,
              line,
              "No such file or directory: " + text);
          set.counters.remove(element.keyText());
        }
      }
    } else {
      throw new NftCommandException(
          NftCommandException.Kind.REJECTED,
          "line " + line + ": fake does not understand: " + command);
    }
  }

  /** Refuses what nft refuses in a rule portfwd could write: unknown words, missing targets. */
  private static void checkRule(State s, String rule, int line) throws NftCommandException {
    List<String> words =
        List.of(
            rule.replace("{", " { ").replace("}", " } ").replace(",", " , ").strip().split("\\s+"));
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (i > 0 && words.get(i - 1).equals("jump")) {
        require(s.chains.containsKey(word), line, "No such file or directory: chain " + word);
      } else if (word.startsWith("@")) {
        require(
            s.sets.containsKey(word.substring(1)),
            line,
            "No such file or directory: set " + word.substring(1));
      } else {
        require(
            RULE_WORDS.contains(word) || word.matches("\\d+") || isPrefix(word),
            line,
            "Error: syntax error, unexpected " + word);
      }
    }
    require(!words.get(words.size() - 1).equals("jump"), line, "Error: syntax error");
  }

  private static boolean isPrefix(String word) {
    try {
      NftText.parseCidr(word);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Adds {@code packets} and {@code bytes} to the counter of the element of {@code set} whose key
   * nft lists as {@code key} ({@code tcp . 13102}), as traffic through the forward would.
   *
   * @throws IllegalArgumentException when there is no such element
   */
  void count(String set, String key, long packets, long bytes) {
    FakeSet fake = state.sets.get(set);
    long[] counter = fake == null ? null : fake.counters.get(key);
    if (counter == null) {
      throw new IllegalArgumentException("no element " + key + " in " + set);
    }
    counter[0] += packets;
    counter[1] += bytes;
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
    if (range.matches()) {
      return part;
    }
    int dash = part.indexOf('-');
    if (dash > 0 && isPrefix(part.substring(0, dash)) && isPrefix(part.substring(dash + 1))) {
      return addressRange(
          NftText.parseAddress(part.substring(0, dash)),
          NftText.parseAddress(part.substring(dash + 1)));
    }
    if (isPrefix(part)) {
      // nft clears host bits, and lists a whole-length prefix as the address.
      Cidr cidr = NftText.parseCidr(part);
      return cidr.prefixLength() == cidr.network().getAddress().length * 8
          ? Addresses.format(cidr.network())
          : cidr.toString();
    }
    return part;
  }

  /** An address range as nft lists it: the prefix it is exactly, else {@code first-last}. */
  private static String addressRange(InetAddress first, InetAddress last) {
    BigInteger low = new BigInteger(1, first.getAddress());
    BigInteger high = new BigInteger(1, last.getAddress());
    BigInteger size = high.subtract(low).add(BigInteger.ONE);
    int bits = first.getAddress().length * 8;
    if (size.bitCount() == 1 && low.mod(size).signum() == 0) {
      int length = bits - (size.bitLength() - 1);
      return length == bits ? Addresses.format(first) : Addresses.format(first) + "/" + length;
    }
    return Addresses.format(first) + "-" + Addresses.format(last);
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
              long[] counter = set.counters.get(element.keyText());
              if (counters) {
                elem.putObject("counter").put("packets", counter[0]).put("bytes", counter[1]);
              } else {
                elem.putNull("counter"); // nft -s lists a counter without its values
              }
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
    if (part.matches("[0-9a-f.:]+-[0-9a-f.:]+")) {
      ObjectNode range = MAPPER.createObjectNode();
      String[] ends = part.split("-");
      range.putArray("range").add(ends[0]).add(ends[1]);
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
