package dev.portfwd.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

  @Test
  void aHugePrintIsSentAsSeveralLinesEachWithinTheLimit() throws IOException {
    ByteArrayOutputStream connection = new ByteArrayOutputStream();
    String text = "13102/tcp  192.0.2.2:80  \u001b 0  0  -  web\n".repeat(100_000);
    try (PrintWriter out = new PrintWriter(new FrameWriter(connection, "out"))) {
      out.print(text);
    }

    ByteArrayInputStream lines = new ByteArrayInputStream(connection.toByteArray());
    StringBuilder received = new StringBuilder();
    int frames = 0;
    for (Optional<ControlFrames.Frame> frame = ControlFrames.read(lines);
        frame.isPresent();
        frame = ControlFrames.read(lines)) {
      received.append(frame.get().string("out").orElseThrow());
      frames++;
    }
    assertThat(frames).isGreaterThan(1);
    assertThat(received.toString()).isEqualTo(text);
  }

  @Test
  void nothingIsSentUntilTheCommandFlushes() {
    ByteArrayOutputStream connection = new ByteArrayOutputStream();
    PrintWriter out = new PrintWriter(new FrameWriter(connection, "err"));
    out.print("Type 'yes'");
    assertThat(connection.size()).isZero();
    out.flush();
    assertThat(connection.toString()).isEqualTo("{\"err\":\"Type 'yes'\"}\n");
  }
}
