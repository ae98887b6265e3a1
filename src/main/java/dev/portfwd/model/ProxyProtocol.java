package dev.portfwd.model;

import java.util.Locale;

/**
 * The PROXY protocol header the userspace relay sends to a backend before the client's data, so the
 * backend learns the client's real address. Kernel backends ignore it.
 */
public enum ProxyProtocol {
  NONE,
  V1,
  V2;

  /** The option value used in tables: {@code v1}, {@code v2}; {@code none} for no header. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
