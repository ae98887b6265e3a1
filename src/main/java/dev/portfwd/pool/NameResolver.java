package dev.portfwd.pool;

import dev.portfwd.model.IpFamily;

/**
 * Resolves backend host names. The real one asks the system's resolvers (resolv.conf, hosts); tests
 * use maps.
 */
@FunctionalInterface
public interface NameResolver {

  /**
   * The addresses of {@code name}, those of {@code family} first: only they are returned when the
   * name has any, else the other family's. Never throws: a failure is a {@link Resolution} that
   * says why.
   */
  Resolution resolve(String name, IpFamily family);
}
