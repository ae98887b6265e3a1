package dev.portfwd.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.PortfwdEpollGuard;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small network programs the end-to-end tests run inside their namespaces (the test JVM itself
 * cannot enter a namespace): an echo backend that can decode PROXY headers, a flooding backend, and
 * clients that hold, open many or open many in a row. Every mode ends by itself.
 *
 * <pre>
 * echo PORTS [proxy]                 TCP+UDP echo on :: for PORTS (80,15000-15002); with proxy,
 *                                    answers "PROXY src dst\n" for the decoded header first
 * flood PORT SECONDS                 accepts one TCP client, writes as fast as it can, prints bytes written
 * hold HOST PORT SECONDS             connects and never reads
 * concurrent HOST PORT N SECONDS [HOLD] opens N connections at once, checks each echoes, prints
 *                                    "echoed=K open=K failed=0", keeps them HOLD seconds more
 * sequential HOST PORT N SECONDS     N connect/echo/close in a row, prints "done=K"
 * parallel HOST PORT CLIENTS SECONDS  CLIENTS threads, each connect/echo/close in a row until
 *                                    SECONDS pass, prints "done=K failed=F" (all threads together)
 * reset HOST PORT TEXT               sends TEXT and a newline, waits half a second, and resets the
 *                                    connection (SO_LINGER 0); prints "sent"
 * ending PORT SECONDS                accepts one TCP connection on PORT, reads it to its end and
 *                                    prints "read=N end=fin" or "read=N end=reset" ("end=none"
 *                                    when SECONDS pass first)
 * datagrams HOST PORT SIZES          sends one UDP datagram of each size (100,60000) from one
 *                                    socket, prints the size of each reply ("lost" after 20 s)
 * burst HOST PORT SIZES N            sends N rounds of one datagram of each size back to back (20 ms
 *                                    between rounds) from one socket, each filled with a pattern of
 *                                    its number, reading the replies until 5 s pass without one; prints "intact=K
 *                                    corrupt=C large=L lost=[numbers]" (corrupt: a reply that is no
 *                                    datagram sent whole; large: intact ones of 32 KiB or more;
 *                                    lost: the numbers of those that came back in no intact reply)
 * reply HOST PORT SOURCEPORT TEXT SECONDS  sends TEXT and a newline in one datagram from
 *                                    SOURCEPORT (0: any), prints the first reply as soon as it
 *                                    comes, or nothing after SECONDS
 * udpsessions HOST PORT N PORTS GAPMS  N short UDP sessions in a row from source ports cycling
 *                                    through PORTS (45000-45009), each one datagram answered within
 *                                    5 s, then a pause of 0 to GAPMS ms; prints "answered=K
 *                                    lost=L" and the lost ones (stops at 5 lost)
 * udpflood HOST PORT SIZE SECONDS    sends datagrams of SIZE bytes from one socket as fast as it
 *                                    can, prints "sent=K"
 * udpsend HOST PORT SIZE N           sends N datagrams of SIZE bytes from one socket, 50 at a time
 *                                    with 2 ms between (no queue on the way overflows, only the
 *                                    receiver's), prints "sent=N"
 * silent HOST PORT N SECONDS HOLD    opens N connections that never send (a slowloris), keeps them
 *                                    HOLD seconds, prints "connected=K open=K" (open: not closed by
 *                                    the other side by then)
 * </pre>
 */
public final class RelayTestTool {

  /**
   * The UDP receive buffer of the echo and of burst's client; the kernel caps it at its {@code
   * net.core.rmem_max}, which a namespace that the tests create holds at 4 MiB here.
   */
  private static final int BURST_BUFFER_BYTES = 4 << 20;

  private RelayTestTool() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "echo" -> echo(ports(args[1]), args.length > 2 && args[2].equals("proxy"));
      case "flood" -> flood(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      case "hold" -> hold(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "concurrent" ->
          concurrent(
              args[1],
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]),
              args.length > 5 ? Integer.parseInt(args[5]) : 0);
      case "sequential" ->
          sequential(
              args[1],
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
      case "parallel" ->
          parallel(
              args[1],
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
      case "reset" -> reset(args[1], Integer.parseInt(args[2]), args[3]);
      case "ending" -> ending(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      case "datagrams" -> datagrams(args[1], Integer.parseInt(args[2]), args[3]);
      case "burst" -> burst(args[1], Integer.parseInt(args[2]), args[3], Integer.parseInt(args[4]));
      case "udpsessions" ->
          udpSessions(
              args[1],
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              ports(args[4]),
              Integer.parseInt(args[5]));
      case "reply" ->
          reply(
              args[1],
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              args[4],
              Integer.parseInt(args[5]));
      case "silent" ->
          silent(
              args[1],
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]),
              Integer.parseInt(args[5]));
      case "udpsend" ->
          udpSend(
              args[1],
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
      case "udpflood" ->
          udpFlood(
              args[1],
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static List<Integer> ports(String spec) {
    List<Integer> ports = new ArrayList<>();
    for (String part : spec.split(",")) {
      String[] range = part.split("-");
      int first = Integer.parseInt(range[0]);
      int last = range.length > 1 ? Integer.parseInt(range[1]) : first;
      for (int p = first; p <= last; p++) {
        ports.add(p);
      }
    }
    return ports;
  }

  private static void echo(List<Integer> ports, boolean proxy) throws Exception {
    EventLoopGroup group = Transport.select(Transport.Choice.AUTO).newGroup(2);
    Transport transport = Transport.select(Transport.Choice.AUTO);
    for (int port : ports) {
      new ServerBootstrap()
          .group(group)
          .channel(transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childHandler(
              new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                  if (proxy) {
                    ch.pipeline().addLast(new HAProxyMessageDecoder());
                  }
                  ch.pipeline().addLast(new TcpEcho());
                }
              })
          .bind(new InetSocketAddress(InetAddress.getByName("::"), port))
          .sync();
      new Bootstrap()
          .group(group)
          .channel(transport.datagramChannel())
          .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65_535))
          // The echo's JVM warms up on the first burst while the relay's and the client's do too,
          // on as few as two cores: a burst waits here instead of overflowing the default buffer.
          .option(ChannelOption.SO_RCVBUF, BURST_BUFFER_BYTES)
          .handler(new UdpEcho(proxy))
          .bind(new InetSocketAddress(InetAddress.getByName("::"), port))
          .sync();
    }
    Thread.sleep(TimeUnit.HOURS.toMillis(1));
    System.exit(0);
  }

  static String describe(HAProxyMessage header) {
    return "PROXY "
        + header.proxiedProtocol()
        + " "
        + canonical(header.sourceAddress())
        + " "
        + header.sourcePort()
        + " "
        + canonical(header.destinationAddress())
        + " "
        + header.destinationPort()
        + "\n";
  }

  private static String canonical(String address) {
    return NetUtil.toAddressString(NetUtil.createInetAddressFromIpAddressString(address));
  }

  /** Echoes, answers a PROXY header with its description, and passes a FIN back after the data. */
  private static final class TcpEcho extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      // The echo half-closes like the relay does and needs the same epoll workaround.
      PortfwdEpollGuard.keepRegistered(ctx.channel());
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HAProxyMessage header) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(describe(header), StandardCharsets.US_ASCII));
        header.release();
        return;
      }
      ctx.writeAndFlush(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
            .addListener(
                (ChannelFutureListener)
                    f ->
                        ((DuplexChannel) ctx.channel())
                            .shutdownOutput()
                            .addListener(x -> ctx.close()));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static final class UdpEcho extends SimpleChannelInboundHandler<DatagramPacket> {
    private final boolean proxy;

    UdpEcho(boolean proxy) {
      this.proxy = proxy;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      ByteBuf reply = packet.content().retain();
      if (proxy) {
        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        decoder.writeInbound(reply);
        HAProxyMessage header = decoder.readInbound();
        ByteBuf rest = decoder.readInbound();
        String text = header == null ? "NO HEADER\n" : describe(header);
        if (header != null) {
          header.release();
        }
        reply =
            Unpooled.wrappedBuffer(
                Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII),
                rest == null ? Unpooled.EMPTY_BUFFER : rest);
        decoder.finishAndReleaseAll();
      }
      ctx.writeAndFlush(new DatagramPacket(reply, packet.sender()));
    }
  }

  private static void flood(int port, int seconds) throws Exception {
    AtomicLong written = new AtomicLong();
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getByName("::"), port));
      Socket socket = server.accept();
      Thread writer =
          new Thread(
              () -> {
                byte[] chunk = new byte[64 * 1024];
                try (OutputStream out = socket.getOutputStream()) {
                  while (true) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                  }
                } catch (Exception stopped) {
                  // The reader went away.
                }
              });
      writer.setDaemon(true);
      writer.start();
      Thread.sleep(seconds * 1000L);
      System.out.println("written=" + written.get());
      System.out.flush();
      System.exit(0);
    }
  }

  private static void hold(String host, int port, int seconds) throws Exception {
    try (Socket socket = new Socket(host, port)) {
      socket.setReceiveBufferSize(64 * 1024);
      Thread.sleep(seconds * 1000L);
    }
  }

  private static void concurrent(String host, int port, int count, int seconds, int holdSeconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Transport transport = Transport.select(Transport.Choice.AUTO);
    EventLoopGroup group = transport.newGroup(2);
    AtomicInteger echoed = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Semaphore inFlight = new Semaphore(256);
    ConcurrentLinkedQueue<Channel> open = new ConcurrentLinkedQueue<>();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(transport.socketChannel())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'x'}));
                              }

                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                                echoed.incrementAndGet();
                                inFlight.release();
                              }

                              @Override
                              public void exceptionCaught(
                                  ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                              }
                            });
                  }
                });
    for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
      if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      ChannelFuture connect = bootstrap.connect(host, port);
      connect.addListener(
          (ChannelFutureListener)
              f -> {
                if (f.isSuccess()) {
                  open.add(f.channel());
                } else {
                  failed.incrementAndGet();
                  inFlight.release();
                }
              });
    }
    while (echoed.get() + failed.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    long stillOpen = open.stream().filter(Channel::isActive).count();
    System.out.println("echoed=" + echoed.get() + " open=" + stillOpen + " failed=" + failed.get());
    System.out.flush();
    Thread.sleep(holdSeconds * 1000L);
    System.exit(0);
  }

  private static void sequential(String host, int port, int count, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int[] outcome = echoInTurn(new InetSocketAddress(host, port), count, deadline);
    System.out.println("done=" + outcome[0] + " failed=" + outcome[1]);
    System.out.flush();
    System.exit(0);
  }

  private static void parallel(String host, int port, int clients, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    InetSocketAddress target = new InetSocketAddress(host, port);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<int[]>> outcomes = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      outcomes.add(pool.submit(() -> echoInTurn(target, Integer.MAX_VALUE, deadline)));
    }
    int done = 0;
    int failed = 0;
    for (Future<int[]> outcome : outcomes) {
      int[] counts = outcome.get();
      done += counts[0];
      failed += counts[1];
    }
    System.out.println("done=" + done + " failed=" + failed);
    System.out.flush();
    System.exit(0);
  }

  private static void reset(String host, int port, String text) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoLinger(true, 0);
      socket.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
      Thread.sleep(500);
    }
    System.out.println("sent");
  }

  private static void ending(int port, int seconds) throws Exception {
    try (ServerSocket server = new ServerSocket(port);
        Socket socket = server.accept()) {
      socket.setSoTimeout(seconds * 1000);
      InputStream in = socket.getInputStream();
      long read = 0;
      String end;
      try {
        for (int n = in.read(); n >= 0; n = in.read()) {
          read++;
        }
        end = "fin";
      } catch (SocketTimeoutException e) {
        end = "none";
      } catch (IOException e) {
        end =
            e.getMessage() != null && e.getMessage().startsWith("Connection reset")
                ? "reset"
                : e.toString();
      }
      System.out.println("read=" + read + " end=" + end);
    }
  }

  /** Connect, echo one byte, reset; again, until {@code count} or the deadline: {done, failed}. */
  private static int[] echoInTurn(InetSocketAddress target, int count, long deadline) {
    int done = 0;
    int failed = 0;
    for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(target, 5000);
        socket.setSoTimeout(5000);
        socket.setSoLinger(true, 0); // RST on close: no TIME_WAIT pile-up on the client side
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write('x');
        if (in.read() == 'x') {
          done++;
        } else {
          failed++;
        }
      } catch (Exception e) {
        failed++;
      }
    }
    return new int[] {done, failed};
  }

  private static void datagrams(String host, int port, String sizes) throws Exception {
    List<String> received = new ArrayList<>();
    try (DatagramChannel socket = DatagramChannel.open()) {
      socket.connect(new InetSocketAddress(host, port));
      socket.configureBlocking(false);
      ByteBuffer reply = ByteBuffer.allocate(65_536);
      for (String size : sizes.split(",")) {
        socket.write(ByteBuffer.allocate(Integer.parseInt(size)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        reply.clear();
        int length = 0;
        while (length == 0 && System.nanoTime() < deadline) {
          length = socket.read(reply);
          if (length == 0) {
            Thread.sleep(5);
          }
        }
        received.add(length > 0 ? Integer.toString(length) : "lost");
      }
    }
    System.out.println(String.join(",", received));
    System.out.flush();
    System.exit(0);
  }

  private static void burst(String host, int port, String sizes, int rounds) throws Exception {
    List<ByteBuffer> sent = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      for (String size : sizes.split(",")) {
        sent.add(patterned(sent.size(), Integer.parseInt(size)));
      }
    }
    AtomicInteger intact = new AtomicInteger();
    AtomicInteger corrupt = new AtomicInteger();
    AtomicInteger large = new AtomicInteger();
    Set<Integer> received = ConcurrentHashMap.newKeySet();
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(new InetSocketAddress(host, port));
      socket.setSoTimeout(5_000);
      socket.setReceiveBufferSize(BURST_BUFFER_BYTES);
      // Replies are read while the burst goes out: a socket buffer holds only a few large ones.
      Thread reader =
          new Thread(
              () -> {
                byte[] bytes = new byte[65_536];
                java.net.DatagramPacket reply = new java.net.DatagramPacket(bytes, bytes.length);
                try {
                  while (intact.get() + corrupt.get() < sent.size()) {
                    reply.setLength(bytes.length);
                    socket.receive(reply);
                    ByteBuffer got = ByteBuffer.wrap(bytes, 0, reply.getLength());
                    int number = got.remaining() >= 4 ? got.getInt(0) : -1;
                    if (number >= 0 && number < sent.size() && sent.get(number).equals(got)) {
                      intact.incrementAndGet();
                      received.add(number);
                      if (got.remaining() >= Datagrams.MAX_PAYLOAD / 2) {
                        large.incrementAndGet();
                      }
                    } else {
                      corrupt.incrementAndGet();
                    }
                  }
                } catch (IOException quietFor5Seconds) {
                  // the rest was lost
                }
              });
      reader.start();
      int perRound = sent.size() / rounds;
      for (int i = 0; i < sent.size(); i++) {
        if (i > 0 && i % perRound == 0) {
          Thread.sleep(20); // what one round queues, the kernel's socket buffers hold
        }
        ByteBuffer datagram = sent.get(i);
        socket.send(new java.net.DatagramPacket(datagram.array(), datagram.limit()));
      }
      reader.join(TimeUnit.SECONDS.toMillis(60));
    }
    List<Integer> lost = new ArrayList<>();
    for (int number = 0; number < sent.size(); number++) {
      if (!received.contains(number)) {
        lost.add(number);
      }
    }
    System.out.println(
        "intact=" + intact + " corrupt=" + corrupt + " large=" + large + " lost=" + lost);
    System.out.flush();
    System.exit(0);
  }

  /**
   * {@code size} bytes (at least 4): {@code number}, then bytes that depend on it and their place.
   */
  private static ByteBuffer patterned(int number, int size) {
    ByteBuffer datagram = ByteBuffer.allocate(Math.max(4, size));
    datagram.putInt(number);
    for (int i = 4; i < datagram.capacity(); i++) {
      datagram.put((byte) (number * 31 + i * 7));
    }
    return datagram.flip();
  }

  /**
   * One datagram and its answer, waiting as long as a loaded machine may need but no longer than
   * the answer takes (socat's {@code -t} always waits its whole time for UDP).
   */
  private static void reply(String host, int port, int sourcePort, String text, int seconds)
      throws Exception {
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket(sourcePort)) {
      socket.connect(new InetSocketAddress(host, port));
      byte[] datagram = (text + "\n").getBytes(StandardCharsets.UTF_8);
      socket.send(new java.net.DatagramPacket(datagram, datagram.length));
      socket.setSoTimeout(seconds * 1000);
      byte[] buffer = new byte[65_536];
      java.net.DatagramPacket answer = new java.net.DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(answer);
        System.out.print(new String(buffer, 0, answer.getLength(), StandardCharsets.UTF_8));
      } catch (SocketTimeoutException e) {
        // No answer: print nothing.
      }
    }
    System.out.flush();
    System.exit(0);
  }

  private static void udpSessions(
      String host, int port, int count, List<Integer> sourcePorts, int gapMillis) throws Exception {
    java.util.Random random = new java.util.Random();
    int answered = 0;
    List<String> lost = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int sourcePort = sourcePorts.get(i % sourcePorts.size());
      try (java.net.DatagramSocket socket = new java.net.DatagramSocket(null)) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(sourcePort));
        socket.connect(new InetSocketAddress(host, port));
        byte[] datagram = ("s" + i + "\n").getBytes(StandardCharsets.UTF_8);
        socket.send(new java.net.DatagramPacket(datagram, datagram.length));
        socket.setSoTimeout(5000);
        byte[] buffer = new byte[1500];
        java.net.DatagramPacket answer = new java.net.DatagramPacket(buffer, buffer.length);
        try {
          socket.receive(answer);
          if (new String(buffer, 0, answer.getLength(), StandardCharsets.UTF_8)
              .equals("s" + i + "\n")) {
            answered++;
          } else {
            lost.add(i + " (wrong answer)");
          }
        } catch (SocketTimeoutException e) {
          lost.add(i + " from port " + sourcePort);
        }
      }
      if (lost.size() >= 5) {
        break; // enough to say it, and each took 5 s
      }
      Thread.sleep(random.nextInt(gapMillis + 1));
    }
    System.out.println(
        "answered="
            + answered
            + " lost="
            + lost.size()
            + (lost.isEmpty() ? "" : " first lost: " + lost.subList(0, Math.min(5, lost.size()))));
    System.out.flush();
    System.exit(0);
  }

  private static void udpFlood(String host, int port, int size, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long sent = 0;
    try (DatagramChannel socket = DatagramChannel.open()) {
      socket.connect(new InetSocketAddress(host, port));
      ByteBuffer datagram = ByteBuffer.allocateDirect(size);
      while (System.nanoTime() < deadline) {
        datagram.clear();
        socket.write(datagram);
        sent++;
      }
    }
    System.out.println("sent=" + sent);
    System.out.flush();
    System.exit(0);
  }

  private static void udpSend(String host, int port, int size, int count) throws Exception {
    try (DatagramChannel socket = DatagramChannel.open()) {
      socket.connect(new InetSocketAddress(host, port));
      ByteBuffer datagram = ByteBuffer.allocateDirect(size);
      for (int i = 0; i < count; i++) {
        if (i > 0 && i % 50 == 0) {
          Thread.sleep(2);
        }
        datagram.clear();
        socket.write(datagram);
      }
    }
    System.out.println("sent=" + count);
    System.out.flush();
    System.exit(0);
  }

  private static void silent(String host, int port, int count, int seconds, int holdSeconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Transport transport = Transport.select(Transport.Choice.AUTO);
    EventLoopGroup group = transport.newGroup(2);
    AtomicInteger connected = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Semaphore inFlight = new Semaphore(256);
    ConcurrentLinkedQueue<Channel> open = new ConcurrentLinkedQueue<>();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(transport.socketChannel())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                              }

                              @Override
                              public void exceptionCaught(
                                  ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                              }
                            });
                  }
                });
    for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
      if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      bootstrap
          .connect(host, port)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    inFlight.release();
                    if (f.isSuccess()) {
                      connected.incrementAndGet();
                      open.add(f.channel());
                    } else {
                      failed.incrementAndGet();
                    }
                  });
    }
    while (connected.get() + failed.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Thread.sleep(holdSeconds * 1000L);
    long stillOpen = open.stream().filter(Channel::isActive).count();
    System.out.println("connected=" + connected.get() + " open=" + stillOpen);
    System.out.flush();
    System.exit(0);
  }
}
