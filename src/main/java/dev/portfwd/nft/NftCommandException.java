package dev.portfwd.nft;

/**
 * nft failed. {@link Kind} is decided once, here, from nft's message, so callers never match
 * message text themselves.
 */
public final class NftCommandException extends Exception {

  /** What went wrong, as far as callers need to know. */
  public enum Kind {
    NOT_FOUND,
    PERMISSION_DENIED,
    NOT_INSTALLED,
    REJECTED
  }

  private final Kind kind;

  public NftCommandException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** The kind nft's {@code stderr} describes. */
  static Kind classify(String stderr) {
    if (stderr.contains("No such file or directory")) {
      return Kind.NOT_FOUND;
    }
    if (stderr.contains("Operation not permitted") || stderr.contains("Permission denied")) {
      return Kind.PERMISSION_DENIED;
    }
    return Kind.REJECTED;
  }
}
