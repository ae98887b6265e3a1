package dev.portfwd.table;

import java.util.List;

/** Finds the closest known word to a typo, for "did you mean" hints. */
final class Suggestions {

  /** The most edits between a typo and the word it hints at. */
  private static final int MAX_HINT_DISTANCE = 3;

  private Suggestions() {}

  /** {@code " (did you mean X?)"} when one of {@code known} is close to {@code word}, else "". */
  static String didYouMean(String word, List<String> known) {
    if (word.length() >= 3) {
      for (String candidate : known) {
        if (candidate.startsWith(word)) {
          return " (did you mean " + candidate + "?)";
        }
      }
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      // No hint is ever more than three edits away, and the lengths alone show when it would be:
      // skipping those keeps a 16 MiB word from costing a 16 MiB-row table of distances.
      if (Math.abs(word.length() - candidate.length()) > MAX_HINT_DISTANCE) {
        continue;
      }
      int distance = editDistance(word, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    // A hint further than a third of the word away is noise, not help.
    boolean close =
        best != null
            && bestDistance <= Math.max(1, Math.min(MAX_HINT_DISTANCE, best.length() / 3 + 1));
    return close ? " (did you mean " + best + "?)" : "";
  }

  /** Levenshtein distance with transpositions counted as one edit. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
