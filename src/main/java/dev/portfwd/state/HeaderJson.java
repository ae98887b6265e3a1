package dev.portfwd.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON a state file's first line needs: one flat object of strings, numbers and string
 * arrays. Written exactly as Jackson's compact form spelled it (older files and {@code jq} read
 * the same text), read by a strict parser for any JSON value. Kept apart from Jackson because
 * {@code apply} writes a header on every run and setting up an ObjectMapper costs a cold JVM
 * more than the rest of the state handling.
 */
final class HeaderJson {

  private final StringBuilder text = new StringBuilder(256).append('{');

  HeaderJson put(String field, String value) {
    name(field);
    string(text, value);
    return this;
  }

  HeaderJson put(String field, long value) {
    name(field);
    text.append(value);
    return this;
  }

  /** A JSON array of {@code values}, in their iteration order. */
  HeaderJson put(String field, Collection<String> values) {
    name(field);
    text.append('[');
    boolean first = true;
    for (String value : values) {
      if (!first) {
        text.append(',');
      }
      first = false;
      string(text, value);
    }
    text.append(']');
    return this;
  }

  private void name(String field) {
    if (text.length() > 1) {
      text.append(',');
    }
    string(text, field);
    text.append(':');
  }

  @Override
  public String toString() {
    return text + "}";
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Jackson's escaping: quote, backslash and control characters; everything else as it is. */
  static void string(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  // ---- reading ----

  /**
   * Parses one JSON value: objects become maps (insertion order, a repeated name keeps its last
   * value), arrays lists, strings strings, numbers Long or Double, and true/false/null themselves.
   *
   * @throws IllegalArgumentException on anything that is not exactly one JSON value
   */
  static Object parse(String json) {
    Reader reader = new Reader(json);
    reader.space();
    Object value = reader.value();
    reader.space();
    if (reader.at < json.length()) {
      throw reader.error("unexpected text after the JSON value");
    }
    return value;
  }

  /** Jackson's {@code asText()}: scalars as text, containers and null-likes as in Jackson. */
  static String asText(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value == null) {
      return "null";
    }
    if (value instanceof Map || value instanceof List) {
      return "";
    }
    return value.toString();
  }

  /** Jackson's {@code asLong()}: numbers truncated, numeric text parsed, everything else 0. */
  static long asLong(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (value instanceof String s) {
      try {
        return Long.parseLong(s.strip());
      } catch (NumberFormatException e) {
        try {
          return (long) Double.parseDouble(s.strip());
        } catch (NumberFormatException notNumeric) {
          return 0;
        }
      }
    }
    return 0;
  }

  /** The elements Jackson's {@code forEach} visits: an array's elements, an object's values. */
  static Collection<?> elements(Object value) {
    if (value instanceof List<?> list) {
      return list;
    }
    if (value instanceof Map<?, ?> map) {
      return map.values();
    }
    return List.of();
  }

  private static final class Reader {
    private final String json;
    private int at;

    Reader(String json) {
      this.json = json;
    }

    Object value() {
      if (at >= json.length()) {
        throw error("unexpected end of input");
      }
      char c = json.charAt(at);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected character '" + c + "'");
      }
    }

    private Map<String, Object> object() {
      Map<String, Object> map = new LinkedHashMap<>();
      at++;
      space();
      if (peek() == '}') {
        at++;
        return map;
      }
      while (true) {
        space();
        if (peek() != '"') {
          throw error("expected a field name");
        }
        String name = string();
        space();
        expect(':');
        space();
        map.put(name, value());
        space();
        char c = next();
        if (c == '}') {
          return map;
        }
        if (c != ',') {
          throw error("expected ',' or '}'");
        }
      }
    }

    private List<Object> array() {
      List<Object> list = new ArrayList<>();
      at++;
      space();
      if (peek() == ']') {
        at++;
        return list;
      }
      while (true) {
        space();
        list.add(value());
        space();
        char c = next();
        if (c == ']') {
          return list;
        }
        if (c != ',') {
          throw error("expected ',' or ']'");
        }
      }
    }

    private String string() {
      at++; // the opening quote
      StringBuilder out = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return out.toString();
        }
        if (c < 0x20) {
          throw error("control character in a string");
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> out.append(e);
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            if (at + 4 > json.length()) {
              throw error("short \\u escape");
            }
            int code = 0;
            for (int i = 0; i < 4; i++) {
              int digit = Character.digit(json.charAt(at++), 16);
              if (digit < 0) {
                throw error("bad \\u escape");
              }
              code = code * 16 + digit;
            }
            out.append((char) code);
          }
          default -> throw error("bad escape '\\" + e + "'");
        }
      }
    }

    private Object number() {
      int start = at;
      if (peek() == '-') {
        at++;
      }
      int digits = digits();
      if (digits == 0 || (digits > 1 && json.charAt(at - digits) == '0')) {
        throw error("bad number");
      }
      boolean integral = true;
      if (at < json.length() && json.charAt(at) == '.') {
        at++;
        integral = false;
        if (digits() == 0) {
          throw error("bad number");
        }
      }
      if (at < json.length() && (json.charAt(at) == 'e' || json.charAt(at) == 'E')) {
        at++;
        integral = false;
        if (at < json.length() && (json.charAt(at) == '+' || json.charAt(at) == '-')) {
          at++;
        }
        if (digits() == 0) {
          throw error("bad number");
        }
      }
      String text = json.substring(start, at);
      if (integral) {
        try {
          return Long.parseLong(text);
        } catch (NumberFormatException tooBig) {
          return Double.parseDouble(text);
        }
      }
      return Double.parseDouble(text);
    }

    private int digits() {
      int start = at;
      while (at < json.length() && json.charAt(at) >= '0' && json.charAt(at) <= '9') {
        at++;
      }
      return at - start;
    }

    private Object literal(String word, Object value) {
      if (!json.startsWith(word, at)) {
        throw error("unexpected text");
      }
      at += word.length();
      return value;
    }

    void space() {
      while (at < json.length()) {
        char c = json.charAt(at);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        at++;
      }
    }

    private char peek() {
      if (at >= json.length()) {
        throw error("unexpected end of input");
      }
      return json.charAt(at);
    }

    private char next() {
      char c = peek();
      at++;
      return c;
    }

    private void expect(char c) {
      if (next() != c) {
        throw error("expected '" + c + "'");
      }
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("bad JSON header: " + what + " at column " + (at + 1));
    }
  }
}
