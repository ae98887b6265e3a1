package dev.portfwd.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The control socket's wire format, version {@value #VERSION}: JSON lines, one flat object per line
 * whose values are strings, integers, booleans or arrays of strings. Lines are bounded ({@value
 * #MAX_LINE} bytes), so a client that sends garbage or a huge line is answered with an error and
 * dropped without the service reading more than that.
 *
 * <pre>
 * client  {"portfwd":1,"argv":["apply","ports.txt"],"cwd":"/root","stateDir":"/var/lib/portfwd","colour":false}
 * client  {"stdin":"yes\n"}  ...  {"stdinClosed":true}     (standard input, as it comes)
 * service {"out":"text"} / {"err":"text"}  ...            (the command's output, as it comes)
 * service {"exit":0}                                        (last)
 * service {"direct":"why"}   instead: the client runs the command itself (another state directory)
 * service {"error":"why"}    instead: the request was malformed; the client exits 1
 * </pre>
 */
public final class ControlFrames {

  /** The protocol version a request names in its {@code "portfwd"} field. */
  public static final int VERSION = 1;

  /** The longest line either side reads; a request's standard input comes in several lines. */
  public static final int MAX_LINE = 1 << 20;

  private static final JsonFactory JSON = new JsonFactory();

  private ControlFrames() {}

  /** One decoded line. */
  public record Frame(Map<String, Object> fields) {

    public Optional<String> string(String field) {
      return fields.get(field) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    public Optional<Long> number(String field) {
      return fields.get(field) instanceof Long n ? Optional.of(n) : Optional.empty();
    }

    public boolean flag(String field) {
      return Boolean.TRUE.equals(fields.get(field));
    }

    /** The strings of an array field; empty when absent or not an array of strings. */
    @SuppressWarnings("unchecked")
    public Optional<List<String>> strings(String field) {
      return fields.get(field) instanceof List<?> list
          ? Optional.of((List<String>) list)
          : Optional.empty();
    }
  }

  /**
   * A line holding {@code field} with {@code value} (a String, Long/Integer, Boolean or List of
   * String).
   */
  public static byte[] line(String field, Object value) {
    return line(Map.of(field, value));
  }

  /** A line holding {@code fields} in their iteration order. */
  public static byte[] line(Map<String, Object> fields) {
    StringWriter text = new StringWriter();
    try (JsonGenerator out = JSON.createGenerator(text)) {
      out.writeStartObject();
      for (Map.Entry<String, Object> field : fields.entrySet()) {
        out.writeFieldName(field.getKey());
        Object value = field.getValue();
        if (value instanceof String s) {
          out.writeString(s);
        } else if (value instanceof Integer || value instanceof Long) {
          out.writeNumber(((Number) value).longValue());
        } else if (value instanceof Boolean b) {
          out.writeBoolean(b);
        } else if (value instanceof List<?> list) {
          out.writeStartArray();
          for (Object item : list) {
            out.writeString((String) item);
          }
          out.writeEndArray();
        } else {
          throw new IllegalArgumentException("no frame value: " + value);
        }
      }
      out.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringWriter does not fail
    }
    return (text + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Writes {@code line} and flushes it; a closed peer surfaces as the IOException. */
  public static void write(OutputStream out, byte[] line) throws IOException {
    synchronized (out) {
      out.write(line);
      out.flush();
    }
  }

  /**
   * Reads the next line and decodes it.
   *
   * @return empty at the end of the stream
   * @throws IOException when the line is longer than {@link #MAX_LINE}, not a flat JSON object, or
   *     the stream fails
   */
  public static Optional<Frame> read(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.size() == 0) {
          return Optional.empty();
        }
        throw new IOException("the connection ended inside a line");
      }
      if (b == '\n') {
        break;
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("a line longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    return Optional.of(decode(line.toByteArray()));
  }

  private static Frame decode(byte[] line) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    try (JsonParser in = JSON.createParser(line)) {
      if (in.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      for (JsonToken token = in.nextToken();
          token != JsonToken.END_OBJECT;
          token = in.nextToken()) {
        if (token != JsonToken.FIELD_NAME) {
          throw new IOException("a field name was expected");
        }
        String name = in.currentName();
        JsonToken value = in.nextToken();
        if (value == null) {
          throw new IOException("the object is not closed");
        }
        switch (value) {
          case VALUE_STRING -> fields.put(name, in.getText());
          case VALUE_NUMBER_INT -> fields.put(name, in.getLongValue());
          case VALUE_TRUE, VALUE_FALSE -> fields.put(name, value == JsonToken.VALUE_TRUE);
          case START_ARRAY -> {
            List<String> items = new ArrayList<>();
            for (JsonToken item = in.nextToken();
                item != JsonToken.END_ARRAY;
                item = in.nextToken()) {
              if (item != JsonToken.VALUE_STRING) { // also null: the array is not closed
                throw new IOException("field " + name + ": an array of strings was expected");
              }
              items.add(in.getText());
            }
            fields.put(name, List.copyOf(items));
          }
          default -> throw new IOException("field " + name + ": unexpected " + value);
        }
      }
      if (in.nextToken() != null) {
        throw new IOException("text after the JSON object");
      }
    } catch (IOException e) {
      throw new IOException("malformed control line: " + e.getMessage(), e);
    }
    return new Frame(fields);
  }
}
