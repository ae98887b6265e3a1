package dev.portfwd.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON a state file's first line needs: one flat object of strings, numbers and string
 * arrays, written and read with jackson-core's streaming generator and parser. Not with
 * jackson-databind's ObjectMapper: {@code apply} writes a header on every run, and setting up an
 * ObjectMapper costs a cold JVM more than the rest of the state handling. The text is the same
 * compact form the ObjectMapper wrote, so older files and {@code jq} read the same.
 */
final class HeaderJson {

  /** Thread-safe once configured, and never reconfigured. */
  private static final JsonFactory JSON = new JsonFactory();

  private final StringWriter text = new StringWriter(256);
  private final JsonGenerator out;

  HeaderJson() {
    try {
      out = JSON.createGenerator(text);
      out.writeStartObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
  }

  HeaderJson put(String field, String value) {
    return write(() -> out.writeStringField(field, value));
  }

  HeaderJson put(String field, long value) {
    return write(() -> out.writeNumberField(field, value));
  }

  /** A JSON array of {@code values}, in their iteration order. */
  HeaderJson put(String field, Collection<String> values) {
    return write(
        () -> {
          out.writeArrayFieldStart(field);
          for (String value : values) {
            out.writeString(value);
          }
          out.writeEndArray();
        });
  }

  /** The object written so far, closed. */
  @Override
  public String toString() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text + "}";
  }

  private HeaderJson write(Write step) {
    try {
      step.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  @FunctionalInterface
  private interface Write {
    void run() throws IOException;
  }

  // ---- reading ----

  /**
   * Parses one JSON value: objects become maps (insertion order, a repeated name keeps its last
   * value), arrays lists, strings strings, integers Long, other numbers Double, and true/false/null
   * themselves.
   *
   * @throws IllegalArgumentException on anything that is not exactly one JSON value
   */
  static Object parse(String json) {
    try (JsonParser in = JSON.createParser(json)) {
      JsonToken first = in.nextToken();
      if (first == null) {
        throw new IllegalArgumentException("no JSON value");
      }
      Object value = value(in, first);
      if (in.nextToken() != null) {
        throw new IllegalArgumentException(
            "unexpected text after the JSON value at column " + in.currentLocation().getColumnNr());
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does not fail
    }
  }

  private static Object value(JsonParser in, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> object = new LinkedHashMap<>();
        for (JsonToken next = in.nextToken(); next != JsonToken.END_OBJECT; next = in.nextToken()) {
          String name = in.currentName();
          object.put(name, value(in, in.nextToken()));
        }
        return object;
      }
      case START_ARRAY -> {
        List<Object> array = new ArrayList<>();
        for (JsonToken next = in.nextToken(); next != JsonToken.END_ARRAY; next = in.nextToken()) {
          array.add(value(in, next));
        }
        return array;
      }
      case VALUE_STRING -> {
        return in.getText();
      }
      case VALUE_NUMBER_INT -> {
        return in.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return in.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return true;
      }
      case VALUE_FALSE -> {
        return false;
      }
      case VALUE_NULL -> {
        return null;
      }
      default ->
          throw new IllegalArgumentException(
              "unexpected " + token + " at column " + in.currentLocation().getColumnNr());
    }
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
}
