package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SegmentedWritesTest {

  private static final InetSocketAddress CLIENT_A = new InetSocketAddress("203.0.113.10", 40000);
  private static final InetSocketAddress CLIENT_B = new InetSocketAddress("203.0.113.11", 40000);

  private final List<ByteBuf> written = new ArrayList<>();

  @BeforeAll
  static void loadNettysNativeErrors() {
    // Errors.NativeIoException reads errno names from the native library that epoll loads: without
    // it the test passed only after another test class had used epoll.
    Epoll.ensureAvailability();
  }

  /** A datagram of {@code size} bytes whose bytes all hold {@code mark}. */
  private ByteBuf datagram(int size, int mark) {
    ByteBuf datagram = Unpooled.directBuffer(size);
    datagram.writerIndex(size);
    for (int i = 0; i < size; i++) {
      datagram.setByte(i, mark);
    }
    written.add(datagram);
    return datagram;
  }

  private static void write(EmbeddedChannel channel, Object... messages) {
    for (Object message : messages) {
      channel.write(message, channel.voidPromise());
    }
  }

  /** What left the channel, each as "segment size x bytes" or "bytes", with its marks. */
  private static List<String> sent(EmbeddedChannel channel) {
    List<String> sent = new ArrayList<>();
    for (Object message; (message = channel.readOutbound()) != null; ) {
      String to = "";
      ByteBuf content;
      String shape = "";
      if (message instanceof SegmentedDatagramPacket batch) {
        content = batch.content();
        shape = batch.segmentSize() + "x";
        to =
            batch.recipient() == null
                ? ""
                : " to " + batch.recipient().getAddress().getHostAddress();
      } else if (message instanceof DatagramPacket packet) {
        content = packet.content();
        to = " to " + packet.recipient().getAddress().getHostAddress();
      } else {
        content = (ByteBuf) message;
      }
      StringBuilder marks = new StringBuilder();
      for (int i = 0; i < content.readableBytes(); i++) {
        int mark = content.getByte(content.readerIndex() + i);
        if (i == 0 || content.getByte(content.readerIndex() + i - 1) != mark) {
          marks.append(mark);
        }
      }
      sent.add(shape + content.readableBytes() + " [" + marks + "]" + to);
      ReferenceCountUtil.release(message);
    }
    return sent;
  }

  @Test
  void sendsEqualDatagramsOfOneFlushAsOneSegmentedWrite() {
    EmbeddedChannel channel = new EmbeddedChannel(new SegmentedWrites());
    write(channel, datagram(100, 1), datagram(100, 2), datagram(100, 3));
    channel.flush();
    assertThat(sent(channel)).containsExactly("100x300 [123]");
    assertThat(written).allSatisfy(datagram -> assertThat(datagram.refCnt()).isZero());
  }

  @Test
  void endsABatchAfterAShorterDatagramAndBeforeALongerOne() {
    EmbeddedChannel channel = new EmbeddedChannel(new SegmentedWrites());
    write(
        channel,
        datagram(100, 1),
        datagram(100, 2),
        datagram(40, 3),
        datagram(100, 4),
        datagram(30, 5),
        datagram(60, 6),
        datagram(60, 7));
    channel.flush();
    assertThat(sent(channel)).containsExactly("100x240 [123]", "100x130 [45]", "60x120 [67]");
  }

  @Test
  void sendsALoneDatagramAsItIs() {
    EmbeddedChannel channel = new EmbeddedChannel(new SegmentedWrites());
    write(channel, datagram(100, 1));
    channel.flush();
    assertThat(sent(channel)).containsExactly("100 [1]");
  }

  @Test
  void passesALargeDatagramOnAtOnceAfterWhatCameBeforeIt() {
    EmbeddedChannel channel = new EmbeddedChannel(new SegmentedWrites());
    write(
        channel,
        datagram(100, 1),
        datagram(100, 2),
        datagram(SegmentedWrites.MAX_SEGMENT + 1, 3),
        datagram(100, 4));
    channel.flush();
    assertThat(sent(channel)).containsExactly("100x200 [12]", "1233 [3]", "100 [4]");
  }

  @Test
  void batchesRepliesPerClient() {
    EmbeddedChannel channel = new EmbeddedChannel(new SegmentedWrites());
    write(
        channel,
        new DatagramPacket(datagram(50, 1), CLIENT_A),
        new DatagramPacket(datagram(50, 2), CLIENT_A),
        new DatagramPacket(datagram(50, 3), CLIENT_B),
        new DatagramPacket(datagram(50, 4), CLIENT_B),
        new DatagramPacket(datagram(50, 5), CLIENT_A));
    channel.flush();
    assertThat(sent(channel))
        .containsExactly(
            "50x100 [12] to 203.0.113.10", "50x100 [34] to 203.0.113.11", "50 [5] to 203.0.113.10");
  }

  @Test
  void capsABatchAtSixtyFourSegmentsAndAtTheLargestDatagram() {
    EmbeddedChannel channel = new EmbeddedChannel(new SegmentedWrites());
    IntStream.range(0, 70).forEach(i -> write(channel, datagram(10, 1)));
    channel.flush();
    assertThat(sent(channel)).containsExactly("10x640 [1]", "10x60 [1]");
    IntStream.range(0, 60).forEach(i -> write(channel, datagram(SegmentedWrites.MAX_SEGMENT, 2)));
    channel.flush();
    // 53 segments of 1,232 bytes are 65,296 bytes; a 54th would pass 65,507.
    assertThat(sent(channel)).containsExactly("1232x65296 [2]", "1232x8624 [2]");
  }

  @Test
  void passesAWriteThatWaitsForItsPromiseOnUnbatched() {
    EmbeddedChannel channel = new EmbeddedChannel(new SegmentedWrites());
    write(channel, datagram(100, 1), datagram(100, 2));
    ChannelPromise promise = channel.newPromise();
    channel.write(datagram(100, 3), promise);
    channel.flush();
    assertThat(sent(channel)).containsExactly("100x200 [12]", "100 [3]");
    assertThat(promise.isSuccess()).isTrue();
  }

  @Test
  void releasesWhatItHoldsWhenTheSocketCloses() {
    EmbeddedChannel channel = new EmbeddedChannel(new SegmentedWrites());
    write(channel, datagram(100, 1), datagram(100, 2));
    channel.close();
    assertThat(written).allSatisfy(datagram -> assertThat(datagram.refCnt()).isZero());
  }

  /** Fails every segmented write with {@code errno}, as the kernel does; passes the rest on. */
  private static final class RefusingKernel extends ChannelOutboundHandlerAdapter {
    private final int errno;
    private int refused;

    RefusingKernel(int errno) {
      this.errno = errno;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof SegmentedDatagramPacket) {
        ReferenceCountUtil.release(msg);
        refused++;
        promise.setFailure(new Errors.NativeIoException("sendmmsg", -errno));
      } else {
        ctx.write(msg, promise);
      }
    }
  }

  @Test
  void sendsABatchTheKernelRefusesAgainDatagramByDatagramAndBatchesNoMore() {
    EmbeddedChannel channel =
        new EmbeddedChannel(new RefusingKernel(90 /* EMSGSIZE */), new SegmentedWrites());
    write(
        channel,
        new DatagramPacket(datagram(100, 1), CLIENT_A),
        new DatagramPacket(datagram(100, 2), CLIENT_A),
        new DatagramPacket(datagram(60, 3), CLIENT_A));
    channel.flush();
    channel.runPendingTasks();
    assertThat(sent(channel))
        .containsExactly(
            "100 [1] to 203.0.113.10", "100 [2] to 203.0.113.10", "60 [3] to 203.0.113.10");
    write(channel, datagram(100, 4), datagram(100, 5));
    channel.flush();
    assertThat(sent(channel)).containsExactly("100 [4]", "100 [5]");
    assertThat(written).allSatisfy(datagram -> assertThat(datagram.refCnt()).isZero());
  }

  @Test
  void dropsABatchThatFailsForAnotherReasonAsItsDatagramsWouldBeAndGoesOnBatching() {
    RefusingKernel kernel = new RefusingKernel(111 /* ECONNREFUSED */);
    EmbeddedChannel channel = new EmbeddedChannel(kernel, new SegmentedWrites());
    write(channel, datagram(100, 1), datagram(100, 2));
    channel.flush();
    channel.runPendingTasks();
    assertThat(sent(channel)).isEmpty();
    assertThat(written).allSatisfy(datagram -> assertThat(datagram.refCnt()).isZero());
    write(channel, datagram(100, 3), datagram(100, 4));
    channel.flush();
    assertThat(kernel.refused).as("batches tried").isEqualTo(2);
    assertThat(SegmentedWrites.refusesSegments(new Errors.NativeIoException("sendmmsg", -22)))
        .as("EINVAL")
        .isTrue();
    assertThat(SegmentedWrites.refusesSegments(new Errors.NativeIoException("sendmmsg", -5)))
        .as("EIO")
        .isTrue();
  }
}
