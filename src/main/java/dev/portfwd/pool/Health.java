package dev.portfwd.pool;

/**
 * The health of one {@link CheckTarget}, HAProxy's way: a backend that is up goes down after {@code
 * fall} failed checks in a row, and one that is down comes back after {@code rise} good ones in a
 * row. Every backend starts up, so a fresh service installs every backend and takes out the dead.
 *
 * @param up whether the backend is in rotation
 * @param streak how many checks in a row disagreed with {@code up}
 * @param lastProblem why the last failed check failed; empty when it succeeded
 */
public record Health(boolean up, int streak, String lastProblem) {

  public static final Health INITIAL = new Health(true, 0, "");

  /** The health after one more check; {@code problem} is null when the check succeeded. */
  public Health after(String problem, int fall, int rise) {
    boolean good = problem == null;
    String last = good ? "" : problem;
    if (good == up) {
      return new Health(up, 0, last);
    }
    int next = streak + 1;
    if (next >= (up ? fall : rise)) {
      return new Health(!up, 0, last);
    }
    return new Health(up, next, last);
  }
}
