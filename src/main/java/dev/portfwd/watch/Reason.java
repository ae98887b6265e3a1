package dev.portfwd.watch;

/**
 * Why the watcher applies: at start, after the table file changed, or because the kernel drifted.
 */
public enum Reason {
  START,
  EDIT,
  DRIFT
}
