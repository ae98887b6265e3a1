package dev.portfwd.service;

import dev.portfwd.service.ControlFrames.Frame;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The service's control socket: a Unix domain socket (directory 0750, socket 0600, so only root
 * reaches it) on which the CLI asks the running service to run a command for it. Each connection
 * carries one request ({@link ControlFrames}); a {@link Handler} runs it with the connection as its
 * standard input and output.
 *
 * <p>Abuse is bounded: at most {@value #CONCURRENT} requests run at once (more are answered
 * "busy"), a request line must arrive within {@link #REQUEST_TIMEOUT} and be shorter than {@link
 * ControlFrames#MAX_LINE}, and standard input is bounded by {@link #MAX_STDIN}. A malformed,
 * oversized or stalled request gets an error line or is dropped; the service and other clients go
 * on.
 */
public final class ControlServer implements AutoCloseable {

  /** How many requests run at once; a gateway's admins rarely run more than a few commands. */
  static final int CONCURRENT = 8;

  /** How long a client may take to send its request line. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** The most standard input a request may send (a table piped to {@code apply -}). */
  static final long MAX_STDIN = 32L << 20;

  /** What the service does with requests. */
  public interface Handler {

    /**
     * Why this service does not run {@code request} (the client then runs it itself); empty when it
     * does.
     */
    Optional<String> refusal(Request request);

    /**
     * Runs {@code request}; returns its exit code. Output goes through {@code out} and {@code err}.
     */
    int run(Request request, InputStream stdin, PrintWriter out, PrintWriter err);
  }

  private final ServerSocketChannel server;
  private final Path socket;
  private final Handler handler;
  private final Consumer<String> log;
  private final ExecutorService workers = Executors.newCachedThreadPool(daemon("portfwd-control"));
  private final ScheduledExecutorService timeouts =
      Executors.newSingleThreadScheduledExecutor(daemon("portfwd-control-timeout"));
  private final Semaphore slots = new Semaphore(CONCURRENT);
  private final Thread acceptor;

  private ControlServer(
      ServerSocketChannel server, Path socket, Handler handler, Consumer<String> log) {
    this.server = server;
    this.socket = socket;
    this.handler = handler;
    this.log = log;
    this.acceptor = new Thread(this::acceptLoop, "portfwd-control-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Listens on {@code socket}. Creates its directory (0750) when missing; replaces a socket file
   * that nobody listens on (left by a killed service).
   *
   * @throws IOException when another service listens there, or the socket cannot be made
   */
  public static ControlServer start(Path socket, Handler handler, Consumer<String> log)
      throws IOException {
    Path dir = socket.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
    }
    if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      if (ControlClient.listening(socket)) {
        throw new IOException("another portfwd service already listens on " + socket);
      }
      Files.delete(socket);
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket));
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    ControlServer control = new ControlServer(server, socket, handler, log);
    control.acceptor.start();
    return control;
  }

  public Path socket() {
    return socket;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.accept("control socket: cannot accept: " + e.getMessage());
        sleep(Duration.ofMillis(100)); // e.g. out of file descriptors: do not spin
        continue;
      }
      if (!slots.tryAcquire()) {
        refuse(client, "the service is busy with " + CONCURRENT + " requests; try again");
        continue;
      }
      workers.execute(
          () -> {
            try (client) {
              serve(client);
            } catch (IOException e) {
              // The client went away or broke the protocol; its request ends here.
            } finally {
              slots.release();
            }
          });
    }
  }

  private void serve(SocketChannel client) throws IOException {
    InputStream in = new BufferedInputStream(ChannelStreams.in(client));
    OutputStream out = ChannelStreams.out(client);
    Request request;
    ScheduledFuture<?> stall =
        timeouts.schedule(
            () -> closeQuietly(client), REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    try {
      Optional<Frame> first = ControlFrames.read(in);
      if (first.isEmpty()) {
        return;
      }
      request = Request.from(first.get());
    } catch (IOException e) {
      if (client.isOpen()) {
        ControlFrames.write(out, ControlFrames.line("error", e.getMessage()));
      }
      return;
    } finally {
      stall.cancel(false);
    }
    Optional<String> refusal = handler.refusal(request);
    if (refusal.isPresent()) {
      ControlFrames.write(out, ControlFrames.line("direct", refusal.get()));
      return;
    }
    RequestInput stdin = new RequestInput();
    Thread reader = new Thread(() -> stdin.pump(in, MAX_STDIN), "portfwd-control-stdin");
    reader.setDaemon(true);
    reader.start();
    int exit;
    try (PrintWriter stdout = new PrintWriter(new FrameWriter(out, "out"));
        PrintWriter stderr = new PrintWriter(new FrameWriter(out, "err"))) {
      exit = handler.run(request, stdin, stdout, stderr);
    }
    try {
      ControlFrames.write(out, ControlFrames.line("exit", exit));
    } catch (IOException e) {
      // The client is gone; the command ran to its end all the same.
    }
  }

  private static void refuse(SocketChannel client, String why) {
    try (client) {
      ControlFrames.write(ChannelStreams.out(client), ControlFrames.line("error", why));
    } catch (IOException e) {
      // Gone already.
    }
  }

  /** Stops listening and removes the socket; requests already running finish. */
  @Override
  public void close() throws IOException {
    server.close();
    timeouts.shutdownNow();
    workers.shutdown();
    Files.deleteIfExists(socket);
  }

  /** Waits up to {@code timeout} for running requests to finish; true when they did. */
  public boolean awaitRequests(Duration timeout) throws InterruptedException {
    return workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing only ends a stalled read.
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * One request: the command line, and what the client's shell would have given it.
   *
   * @param argv the arguments after {@code portfwd}
   * @param cwd the client's working directory, against which relative file names resolve
   * @param stateDir the state directory the client resolved (option, environment or default)
   * @param colour whether the client's terminal wants colour
   */
  public record Request(List<String> argv, Path cwd, Path stateDir, boolean colour) {

    public Request {
      argv = List.copyOf(argv);
    }

    static Request from(Frame frame) throws IOException {
      long version = frame.number("portfwd").orElse(0L);
      if (version != ControlFrames.VERSION) {
        throw new IOException(
            "protocol version "
                + version
                + " is not served (this service speaks "
                + ControlFrames.VERSION
                + ")");
      }
      List<String> argv =
          frame.strings("argv").orElseThrow(() -> new IOException("the request has no argv"));
      Path cwd = absolute(frame, "cwd");
      Path stateDir = absolute(frame, "stateDir");
      return new Request(argv, cwd, stateDir, frame.flag("colour"));
    }

    private static Path absolute(Frame frame, String field) throws IOException {
      String text =
          frame.string(field).orElseThrow(() -> new IOException("the request has no " + field));
      Path path;
      try {
        path = Path.of(text);
      } catch (InvalidPathException e) {
        // A NUL: JSON carries it, no file name can.
        throw new IOException(field + " is not a path: " + e.getReason(), e);
      }
      if (!path.isAbsolute()) {
        throw new IOException(field + " must be an absolute path");
      }
      return path.normalize();
    }

    /** The request line for this request. */
    byte[] line() {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("portfwd", ControlFrames.VERSION);
      fields.put("argv", argv);
      fields.put("cwd", cwd.toString());
      fields.put("stateDir", stateDir.toString());
      fields.put("colour", colour);
      return ControlFrames.line(fields);
    }
  }
}
