package dev.portfwd.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bearer tokens for scripts ({@code portfwd token create|list|revoke}). A token is {@code
 * pfw_ID_SECRET}: the id names it in lists and revocations, the secret (32 random bytes) is shown
 * once and stored only as its SHA-256. A fast hash is enough here, unlike for passwords: the secret
 * is random, so there is nothing to guess from the hash.
 */
public final class TokenStore {

  /** What {@code token list} shows of a token; never its secret. */
  public record Token(String id, Instant created, String name, String secretSha256) {}

  /** The most characters of a refused name that its error quotes, as the table's messages do. */
  static final int QUOTED_NAME_CHARS = 40;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-][A-Za-z0-9 ._@-]{0,63}");
  private static final Pattern PRESENTED = Pattern.compile("pfw_([0-9a-f]{8})_([A-Za-z0-9_-]{43})");

  private final Path file;
  private final Clock clock;
  private final SecureRandom random;

  public TokenStore(Path file, Clock clock, SecureRandom random) {
    this.file = file;
    this.clock = clock;
    this.random = random;
  }

  /** The tokens, oldest first. A damaged line is skipped: it can never match a presented token. */
  public List<Token> list() throws IOException {
    List<Token> tokens = new ArrayList<>();
    for (String line : SecretFiles.read(file).orElse("").split("\n")) {
      String[] fields = line.split("\t", 4);
      if (fields.length == 4
          && fields[0].matches("[0-9a-f]{8}")
          && fields[2].matches("[0-9a-f]{64}")) {
        try {
          tokens.add(new Token(fields[0], Instant.parse(fields[1]), fields[3], fields[2]));
        } catch (RuntimeException e) {
          // skipped, see above
        }
      }
    }
    return tokens;
  }

  /**
   * Creates a token named {@code name} and returns it whole: the only time its secret is seen.
   *
   * @throws IllegalArgumentException when the name is not 1 to 64 letters, digits, spaces or {@code
   *     ._@-}
   */
  public synchronized String create(String name) throws IOException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a token name is 1 to 64 letters, digits, spaces or ._@- (starting with no space), not '"
              + quoted(name)
              + "'");
    }
    byte[] idBytes = new byte[4];
    random.nextBytes(idBytes);
    byte[] secretBytes = new byte[32];
    random.nextBytes(secretBytes);
    String id = HexFormat.of().formatHex(idBytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    List<Token> tokens = new ArrayList<>(list());
    tokens.add(new Token(id, clock.instant(), name, sha256(secret)));
    save(tokens);
    return "pfw_" + id + "_" + secret;
  }

  /**
   * {@code name} as an error quotes it: printable ASCII, others as {@code ?}, at most {@value
   * #QUOTED_NAME_CHARS} characters and {@code …}, so a name of any length gives a one-line message.
   */
  private static String quoted(String name) {
    String shown =
        name.length() > QUOTED_NAME_CHARS ? name.substring(0, QUOTED_NAME_CHARS) + "…" : name;
    // The ellipsis is the one character above ASCII that stays; a cut surrogate half becomes '?'.
    return shown.replaceAll("[^\\x20-\\x7e…]", "?");
  }

  /**
   * Deletes the token {@code id} (as {@code list} shows it).
   *
   * @return false when there is none
   */
  public synchronized boolean revoke(String id) throws IOException {
    List<Token> tokens = new ArrayList<>(list());
    boolean removed = tokens.removeIf(t -> t.id().equals(id));
    if (removed) {
      save(tokens);
    }
    return removed;
  }

  /** The token {@code presented} is, when it is one of ours; compares in constant time. */
  public Optional<Token> match(String presented) throws IOException {
    var matcher = PRESENTED.matcher(presented);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    byte[] digest = HexFormat.of().parseHex(sha256(matcher.group(2)));
    for (Token token : list()) {
      if (token.id().equals(matcher.group(1))
          && MessageDigest.isEqual(digest, HexFormat.of().parseHex(token.secretSha256()))) {
        return Optional.of(token);
      }
    }
    return Optional.empty();
  }

  private void save(List<Token> tokens) throws IOException {
    StringBuilder text =
        new StringBuilder("# portfwd dashboard tokens: id, created, sha256, name\n");
    for (Token token : tokens) {
      text.append(token.id())
          .append('\t')
          .append(token.created())
          .append('\t')
          .append(token.secretSha256())
          .append('\t')
          .append(token.name())
          .append('\n');
    }
    SecretFiles.write(file, text.toString());
  }

  private static String sha256(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
