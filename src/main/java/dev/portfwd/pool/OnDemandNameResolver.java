package dev.portfwd.pool;

import dev.portfwd.model.IpFamily;
import java.util.function.Supplier;

/**
 * A {@link NameResolver} made on the first name it is asked for. A table without names then never
 * loads the DNS client: Netty's resolver classes read the host's interfaces and name servers when
 * they load, and log a stack trace where there are none (a bare network namespace).
 */
public final class OnDemandNameResolver implements NameResolver, AutoCloseable {

  private final Supplier<SystemNameResolver> factory;
  private SystemNameResolver made;

  /** Makes its resolvers with {@code factory}, at most once. */
  public OnDemandNameResolver(Supplier<SystemNameResolver> factory) {
    this.factory = factory;
  }

  /** The system's resolvers, made when the first name needs them. */
  public static OnDemandNameResolver system() {
    // A lambda, not SystemNameResolver::new: a constructor reference links the class, and with it
    // Netty's DNS classes, as soon as it is made.
    return new OnDemandNameResolver(() -> new SystemNameResolver());
  }

  @Override
  public Resolution resolve(String name, IpFamily family) {
    return resolver().resolve(name, family);
  }

  private synchronized SystemNameResolver resolver() {
    if (made == null) {
      made = factory.get();
    }
    return made;
  }

  /** Whether a name was asked for, so the system's resolver was made. */
  public synchronized boolean started() {
    return made != null;
  }

  @Override
  public synchronized void close() {
    if (made != null) {
      made.close();
    }
  }
}
