package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpHandler;
import dev.portfwd.metrics.HttpEndpoint;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's listener under abuse, over real sockets with as few threads as the service's: an
 * oversized body, a huge header, a flood of wrong passwords from several addresses. Each is
 * answered with its status and bounded, and a script with a token is served meanwhile.
 */
class DashboardAbuseTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String PASSWORD = "abuse test password";

  @TempDir java.nio.file.Path dir;

  private HttpEndpoint server;
  private int port;
  private String token;

  /** Answers every call at once. */
  private static final class QuickApi implements DashboardApi {
    private static JsonNode ok() {
      return MAPPER.createObjectNode().put("ok", true);
    }

    @Override
    public JsonNode forwards() {
      return ok();
    }

    @Override
    public JsonNode table() {
      return ok();
    }

    @Override
    public JsonNode check(String text) {
      return ok();
    }

    @Override
    public JsonNode plan(String text) {
      return ok();
    }

    @Override
    public JsonNode apply(String text, Optional<String> base, Optional<Duration> confirm) {
      return ok();
    }

    @Override
    public JsonNode confirm() {
      return ok();
    }

    @Override
    public JsonNode rollback(OptionalLong state, Optional<Duration> confirm) {
      return ok();
    }

    @Override
    public JsonNode doctor() {
      return ok();
    }

    @Override
    public JsonNode history() {
      return ok();
    }
  }

  @BeforeEach
  void start() throws Exception {
    SecretFiles files = new SecretFiles(dir);
    PasswordFile password = new PasswordFile(files.passwordFile());
    // The real cost: a flood of guesses is as slow to check as in the service.
    password.set(PASSWORD.toCharArray(), PasswordHasher.standard());
    TokenStore tokens = new TokenStore(files.tokenFile(), Clock.systemUTC(), new SecureRandom());
    token = tokens.create("script");
    Dashboard dashboard =
        new Dashboard(
            new QuickApi(),
            password,
            tokens,
            new Sessions(Clock.systemUTC(), new SecureRandom()),
            new LoginThrottle(Clock.systemUTC()),
            /* tls= */ false,
            line -> {});
    Map<String, HttpHandler> routes = dashboard.routes();
    // The service's own listener, as watch --http serves the dashboard.
    server = HttpEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes);
    port = server.address().getPort();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Sends {@code request} from {@code from} and returns the status line, or the failure. */
  private String exchange(String from, byte[] request, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = socket.getInputStream();
      String status = line(in);
      boolean retryAfter = false;
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        retryAfter |= header.regionMatches(true, 0, "Retry-After:", 0, 12);
      }
      return status + (retryAfter ? " [Retry-After]" : "");
    } catch (java.io.IOException e) {
      return "failed: " + e;
    }
  }

  /** One header line without its end; empty at the end of the headers or of the stream. */
  private static String line(InputStream in) throws java.io.IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString().strip();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private String withToken(String method, String path) {
    return exchange(
        "127.0.0.1",
        ascii(
            method
                + " "
                + path
                + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + token
                + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
        Duration.ofSeconds(5));
  }

  @Test
  void anOversizedBodyIsRefusedWith413BeforeItIsSent() {
    long tooLarge = Dashboard.MAX_BODY + 1L;
    String request =
        "POST /api/v1/apply HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + token
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + tooLarge
            + "\r\n\r\n{\"table\": \"";
    // Only the start of the body is ever sent: the answer must not wait for the rest.
    assertThat(exchange("127.0.0.1", ascii(request), Duration.ofSeconds(5)))
        .startsWith("HTTP/1.1 413");
    String anonymous =
        "POST /api/v1/apply HTTP/1.1\r\nHost: x\r\nContent-Length: " + tooLarge + "\r\n\r\n{";
    assertThat(exchange("127.0.0.1", ascii(anonymous), Duration.ofSeconds(5)))
        .as("nobody's body is read before it is refused")
        .matches("HTTP/1.1 (401|413) .*");
    assertThat(withToken("GET", "/api/v1/forwards")).startsWith("HTTP/1.1 200");
  }

  @Test
  void aHugeHeaderIsRefusedAndOthersAreServed() {
    String huge =
        "GET /api/v1/forwards HTTP/1.1\r\nHost: x\r\nX-Filler: "
            + "a".repeat(2 * 1024 * 1024)
            + "\r\n\r\n";
    String answer = exchange("127.0.0.1", ascii(huge), Duration.ofSeconds(10));
    assertThat(answer).as("refused, or the connection closed").doesNotStartWith("HTTP/1.1 200");
    assertThat(answer)
        .satisfiesAnyOf(
            a -> assertThat(a).startsWith("HTTP/1.1 4"),
            a -> assertThat(a).startsWith("failed"),
            a -> assertThat(a).isEmpty());
    StringBuilder many = new StringBuilder("GET /api/v1/forwards HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 5000; i++) {
      many.append("X-Header-").append(i).append(": 1\r\n");
    }
    String manyAnswer = exchange("127.0.0.1", ascii(many + "\r\n"), Duration.ofSeconds(10));
    assertThat(manyAnswer).doesNotStartWith("HTTP/1.1 200");
    assertThat(withToken("GET", "/api/v1/forwards")).startsWith("HTTP/1.1 200");
  }

  @Test
  void aFloodOfWrongPasswordsFromSeveralAddressesIsSlowedAndOthersAreServed() throws Exception {
    List<String> addresses = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
    ExecutorService guessers = Executors.newFixedThreadPool(24);
    List<Future<String>> answers = new ArrayList<>();
    String body = "password=wrong";
    byte[] guess =
        ascii(
            "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type:"
                + " application/x-www-form-urlencoded\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
    try {
      for (int round = 0; round < 8; round++) {
        for (String address : addresses) {
          answers.add(guessers.submit(() -> exchange(address, guess, Duration.ofSeconds(60))));
        }
      }
      Thread.sleep(200); // the guesses have reached the listener
      long start = System.nanoTime();
      String served = withToken("GET", "/api/v1/forwards");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(served).startsWith("HTTP/1.1 200");
      assertThat(took)
          .as("a script is served while the guesses queue")
          .isLessThan(Duration.ofSeconds(2));
      List<String> statuses = new ArrayList<>();
      for (Future<String> answer : answers) {
        statuses.add(answer.get(120, TimeUnit.SECONDS));
      }
      assertThat(statuses)
          .allSatisfy(
              status ->
                  assertThat(status).matches("HTTP/1.1 401.*|HTTP/1.1 429.*\\[Retry-After\\]"));
      assertThat(statuses).anyMatch(status -> status.startsWith("HTTP/1.1 429"));
    } finally {
      guessers.shutdownNow();
    }
    // Every address has now failed more than the free tries: its next guess waits.
    for (String address : addresses) {
      for (int i = 0; i < 5; i++) {
        exchange(address, guess, Duration.ofSeconds(60));
      }
      assertThat(exchange(address, guess, Duration.ofSeconds(60))).startsWith("HTTP/1.1 429");
    }
  }

  /** The whole answer to {@code request} until the listener closes, or the failure. */
  private String whole(String request) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      return "failed: " + e;
    }
  }

  /** {@code method path} with the token and {@code body}, answered whole. */
  private String api(String method, String path, String contentType, String body) {
    return whole(
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + token
            + "\r\nConnection: close\r\n"
            + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
            + "Content-Length: "
            + body.length()
            + "\r\n\r\n"
            + body);
  }

  private static String headers(String answer) {
    int end = answer.indexOf("\r\n\r\n");
    return end < 0 ? answer : answer.substring(0, end + 2);
  }

  private static String body(String answer) {
    int end = answer.indexOf("\r\n\r\n");
    return end < 0 ? "" : answer.substring(end + 4);
  }

  @Test
  void wrongMethodsHeadOptionsAndHttp10GetTheirAnswers() {
    assertThat(api("PUT", "/api/v1/forwards", null, ""))
        .startsWith("HTTP/1.1 405")
        .contains("Allow: GET");
    assertThat(api("OPTIONS", "/api/v1/apply", null, ""))
        .startsWith("HTTP/1.1 405")
        .contains("Allow: POST");
    assertThat(api("DELETE", "/login", null, "")).startsWith("HTTP/1.1 405");
    assertThat(api("HEAD", "/api/v1/forwards", null, "")).startsWith("HTTP/1.1 405");
    assertThat(api("TRACE", "/", null, "")).startsWith("HTTP/1.1 405");
    String head = whole("HEAD /assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(head).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n");
    String old = whole("GET /assets/app.js HTTP/1.0\r\n\r\n");
    assertThat(old)
        .as("an HTTP/1.0 client is answered and the connection closed")
        .startsWith("HTTP/1.1 200")
        .contains("connection: close");
    assertThat(whole("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 404");
  }

  @Test
  void onlyExactPathsAreServedAndNothingEchoedReachesAHeader() {
    for (String path :
        List.of(
            "/assets/../login",
            "/assets/%2e%2e/login",
            "/assets/..%2flogin",
            "/assets//app.js",
            "/assets/app.js%00",
            "/assets/app.js/",
            "/assets/app.js;x",
            "/api/v1/forwards/",
            "/API/v1/forwards",
            "/assets/app.js%0d%0aSet-Cookie:%20portfwd_session=x")) {
      String answer = whole("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(answer).as(path).startsWith("HTTP/1.1 404");
      assertThat(headers(answer)).as(path).doesNotContainIgnoringCase("set-cookie");
    }
    assertThat(whole("GET /a|b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
    assertThat(whole("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400");
  }

  @Test
  void pipelinedRequestsAreAnsweredInTheirOrder() {
    String answers =
        whole(
            "GET /assets/favicon.svg HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /assets/app.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    List<String> statuses = answers.lines().filter(line -> line.startsWith("HTTP/1.1 ")).toList();
    assertThat(statuses)
        .containsExactly("HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK");
    assertThat(answers).containsSubsequence("image/svg+xml", "not found", "text/css");
  }

  @Test
  void badJsonBodiesAreAnswered400WithAJsonError() throws Exception {
    List<String> bodies =
        List.of(
            "{",
            "[1]",
            "\"x\"",
            "null",
            "{\"table\": 5}",
            "{\"table\": null}",
            "{} {}",
            "[".repeat(100_000),
            "{\"a\":".repeat(50_000),
            "{\"table\": \"x\", \"confirmSeconds\": 1e999999999}",
            "{\"table\": \"x\", \"confirmSeconds\": " + "9".repeat(100_000) + "}",
            "{\"table\": \"x\", \"confirmSeconds\": 30.5}",
            "{\"table\": \"x\", \"confirmSeconds\": \"30\"}",
            "{\"table\": \"x\", \"confirmSeconds\": 2147483648}");
    for (String body : bodies) {
      String answer = api("POST", "/api/v1/apply", "application/json", body);
      String shown = body.length() > 60 ? body.substring(0, 60) + "..." : body;
      assertThat(answer).as(shown).startsWith("HTTP/1.1 400");
      assertThat(headers(answer)).as(shown).contains("application/json");
      assertThat(MAPPER.readTree(body(answer)).get("error").isTextual()).as(shown).isTrue();
    }
    for (String state :
        List.of("0", "-1", "1.5", "1e3", "123456789012345678901234567890", "\"1\"")) {
      assertThat(api("POST", "/api/v1/rollback", "application/json", "{\"state\": " + state + "}"))
          .as(state)
          .startsWith("HTTP/1.1 400");
    }
  }

  @Test
  void aBodyWithAnythingAfterItsObjectIsAnswered400() throws Exception {
    for (String path : List.of("/api/v1/check", "/api/v1/plan", "/api/v1/apply")) {
      for (String body :
          List.of(
              "{\"table\": \"x\"} trailing",
              "{\"table\": \"x\"} {}",
              "{\"table\": \"x\"}]",
              "{\"table\": \"x\"} 1")) {
        String answer = api("POST", path, "application/json", body);
        assertThat(answer).as(path + " " + body).startsWith("HTTP/1.1 400");
        assertThat(MAPPER.readTree(body(answer)).get("error").asText())
            .as(path + " " + body)
            .startsWith("the request body is not a JSON object");
      }
    }
  }

  @Test
  void aTableOfTenMegabytesIsTaken() {
    String table = "13102 192.0.2.2 80 tcp # a long table\n".repeat(10 * 1024 * 1024 / 38);
    assertThat(
            api(
                "POST",
                "/api/v1/check",
                "application/json",
                "{\"table\": \"" + table.replace("\n", "\\n") + "\"}"))
        .startsWith("HTTP/1.1 200");
  }

  @Test
  void oddCookiesAreNoSession() {
    for (String cookie :
        List.of(
            "portfwd_session=",
            "portfwd_session",
            ";;;=;",
            "portfwd_session=\u0001\u00ff\u007f",
            "portfwd_session=" + "a".repeat(20_000),
            "portfwd_session=x; portfwd_session=y",
            "portfwd_session=\"quoted\"")) {
      String answer =
          whole(
              "GET /api/v1/forwards HTTP/1.1\r\nHost: x\r\nCookie: "
                  + cookie
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(answer).as(cookie).matches("(?s)HTTP/1.1 (401|400|431) .*");
    }
  }

  @Test
  void aLoginWithBrokenFormEncodingIsAWrongPassword() {
    for (String body : List.of("password=%zz", "password=%", "password=%e2%82", "&&==&password")) {
      String answer =
          whole(
              "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type:"
                  + " application/x-www-form-urlencoded\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body);
      assertThat(answer).as(body).startsWith("HTTP/1.1 401");
    }
  }

  @Test
  void oneAddressGuessingOverManyConnectionsAtOnceGetsNoMoreTries() throws Exception {
    String body = "password=wrong";
    byte[] guess =
        ascii(
            "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type:"
                + " application/x-www-form-urlencoded\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
    ExecutorService guessers = Executors.newFixedThreadPool(12);
    List<String> statuses = new ArrayList<>();
    try {
      for (int wave = 0; wave < 4; wave++) {
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          answers.add(guessers.submit(() -> exchange("127.0.0.5", guess, Duration.ofSeconds(60))));
        }
        for (Future<String> answer : answers) {
          statuses.add(answer.get(120, TimeUnit.SECONDS));
        }
      }
    } finally {
      guessers.shutdownNow();
    }
    long checked = statuses.stream().filter(status -> status.startsWith("HTTP/1.1 401")).count();
    assertThat(checked)
        .as("passwords checked for one address: %s", statuses)
        .isLessThanOrEqualTo(LoginThrottle.FREE_FAILURES + Dashboard.LOGINS_AT_ONCE);
    assertThat(statuses).allSatisfy(status -> assertThat(status).matches("HTTP/1.1 (401|429).*"));
  }
}
