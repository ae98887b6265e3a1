package dev.portfwd.backend;

import java.util.Optional;

/**
 * A cheap look at the live rules between full drift checks. A full check (the backend's plan) lists
 * every forward: with 10,000 of them that is about half a second of CPU, too much every few
 * seconds. A probe answers in milliseconds with a fingerprint that changes when portfwd's objects
 * are deleted or replaced (a flushed ruleset, a deleted table, a firewall reload); when it is
 * unchanged, the watcher skips the full check until {@code --full-interval} has passed.
 */
@FunctionalInterface
public interface DriftProbe {

  /** Never cheap: every drift check is a full one. */
  DriftProbe NONE = Optional::empty;

  /** The fingerprint of the live objects, or empty when this backend has no cheap probe. */
  Optional<String> fingerprint() throws BackendException;
}
