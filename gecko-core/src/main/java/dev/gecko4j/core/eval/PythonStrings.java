package dev.gecko4j.core.eval;

/** Python string semantics needed to reproduce MTEB's preprocessing exactly. */
final class PythonStrings {

  private PythonStrings() {}

  /** Python's {@code str.strip()} with no argument: removes characters for which isspace(). */
  static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /**
   * Python's {@code str.isspace()} for one character: bidirectional class WS, B or S, or
   * category Zs (all whitespace is in the BMP).
   */
  static boolean isSpace(char c) {
    if (c >= '\t' && c <= '\r' || c >= '\u001c' && c <= '\u001f' || c == ' ' || c == '\u0085') {
      return true;
    }
    if (c < '\u00a0') {
      return false;
    }
    return Character.getType(c) == Character.SPACE_SEPARATOR
        || c == '\u2028' || c == '\u2029';
  }
}
