package dev.portfwd.watch;

/**
 * Why the watcher applies: at start, after the table file changed, because the kernel drifted, or
 * because the backends in rotation changed (a check or a DNS record).
 */
public enum Reason {
  START,
  EDIT,
  DRIFT,
  BACKENDS
}
