package dev.portfwd.web;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes the dashboard password with argon2id (Bouncy Castle) and checks a password against a hash.
 * Hashes are written in the PHC string format the reference implementation prints ({@code
 * $argon2id$v=19$m=65536,t=3,p=1$SALT$HASH}), so the cost travels with each hash and can be raised
 * later without breaking the hashes already written.
 */
public final class PasswordHasher {

  /** 64 MiB, 3 passes, one lane: OWASP's argon2id floor is lower; login is rare on a gateway. */
  public static final Cost DEFAULT_COST = new Cost(65_536, 3, 1);

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Pattern PHC =
      Pattern.compile(
          "\\$argon2id\\$v=19\\$m=([0-9]{1,7}),t=([0-9]{1,2}),p=([0-9]{1,2})"
              + "\\$([A-Za-z0-9+/]{11,88})\\$([A-Za-z0-9+/]{16,128})");
  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  /**
   * The argon2id cost.
   *
   * @param memoryKib memory in KiB
   * @param iterations passes over the memory
   * @param parallelism lanes
   */
  public record Cost(int memoryKib, int iterations, int parallelism) {
    public Cost {
      if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
        throw new IllegalArgumentException("argon2id cost out of range");
      }
    }
  }

  private final Cost cost;
  private final SecureRandom random;

  public PasswordHasher(Cost cost, SecureRandom random) {
    this.cost = cost;
    this.random = random;
  }

  /** A hasher with {@link #DEFAULT_COST} and a strong random source. */
  public static PasswordHasher standard() {
    return new PasswordHasher(DEFAULT_COST, new SecureRandom());
  }

  /** The PHC string of {@code password} with a new random salt. */
  public String hash(char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = derive(password, salt, cost, HASH_BYTES);
    return "$argon2id$v=19$m="
        + cost.memoryKib()
        + ",t="
        + cost.iterations()
        + ",p="
        + cost.parallelism()
        + "$"
        + ENCODER.encodeToString(salt)
        + "$"
        + ENCODER.encodeToString(hash);
  }

  /**
   * True when {@code password} matches {@code phc}; false for a wrong password and for a string
   * that is no argon2id hash (a damaged file never lets anyone in). The comparison takes the same
   * time wherever the bytes differ.
   */
  public static boolean verify(char[] password, String phc) {
    Matcher matcher = PHC.matcher(phc.strip());
    if (!matcher.matches()) {
      return false;
    }
    Cost stored;
    byte[] salt;
    byte[] expected;
    try {
      stored =
          new Cost(
              Integer.parseInt(matcher.group(1)),
              Integer.parseInt(matcher.group(2)),
              Integer.parseInt(matcher.group(3)));
      salt = DECODER.decode(matcher.group(4));
      expected = DECODER.decode(matcher.group(5));
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (stored.memoryKib() > 4 * 1024 * 1024) {
      return false; // more than 4 GiB: a damaged or hostile file, not a hash portfwd wrote
    }
    byte[] actual = derive(password, salt, stored, expected.length);
    return MessageDigest.isEqual(actual, expected);
  }

  private static byte[] derive(char[] password, byte[] salt, Cost cost, int length) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(cost.memoryKib())
            .withIterations(cost.iterations())
            .withParallelism(cost.parallelism())
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[length];
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    generator.generateBytes(bytes, out);
    Arrays.fill(bytes, (byte) 0);
    Arrays.fill(encoded.array(), (byte) 0);
    return out;
  }
}
