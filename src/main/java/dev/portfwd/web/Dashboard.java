package dev.portfwd.web;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The dashboard and its API on the service's HTTP listener: the routes, who may use them, and the
 * headers every answer carries.
 *
 * <p>Who may: everything but {@code /login}, the static assets (and {@code /metrics}, which is not
 * served here) needs a session cookie from a login or an {@code Authorization: Bearer} token;
 * without one the API answers 401 and the page shows the login form with 401. A request that
 * changes anything (every POST) with a session must also carry the session's CSRF token in {@code
 * X-CSRF-Token} and, when the browser names its origin, come from this origin; a token needs
 * neither, since a browser never adds it by itself. With no password set, nothing but a page that
 * says how to set one is served.
 *
 * <p>Every answer forbids framing, sniffing and caching, and carries a Content-Security-Policy that
 * allows scripts and styles only from portfwd's own files (no inline code), so text from a table
 * that slipped into the page as markup still could not run.
 */
public final class Dashboard {

  /** The session cookie's name. */
  public static final String COOKIE = "portfwd_session";

  /** The header that carries the CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src"
          + " 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  /** A table is at most 16 MiB; its JSON escaping may grow it, and a request has a little more. */
  static final int MAX_BODY = 40 * 1024 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Reads a request's body: one JSON value and nothing after it, so a body cut or joined by a
   * client's bug ({@code {"table": "..."} trailing}) is refused rather than half read.
   */
  private static final ObjectReader BODY_READER =
      MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The requests logged: those that change the kernel (checks run at every keystroke). */
  private static final java.util.Set<String> CHANGES =
      java.util.Set.of("apply", "confirm", "rollback");

  private static final Map<String, String> ASSETS =
      Map.of(
          "/assets/app.js", "text/javascript; charset=utf-8",
          "/assets/app.css", "text/css; charset=utf-8",
          "/assets/favicon.svg", "image/svg+xml");

  private final DashboardApi api;
  private final PasswordFile password;
  private final TokenStore tokens;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final boolean tls;
  private final Consumer<String> log;

  /** One argon2id at a time: each takes 64 MiB, and guesses queue behind each other. */
  private final Semaphore hashing = new Semaphore(1);

  /**
   * Logins being checked or waiting for their turn. More are refused at once, so a flood of guesses
   * from many addresses holds at most this many of the listener's few threads and the API, the page
   * and {@code /metrics} keep being served.
   */
  static final int LOGINS_AT_ONCE = 2;

  private final Semaphore logins = new Semaphore(LOGINS_AT_ONCE);

  /**
   * @param tls true when the listener speaks TLS: the cookie is then {@code Secure}
   * @param log where logins, logouts and changes are logged, one line each, never with a secret
   */
  public Dashboard(
      DashboardApi api,
      PasswordFile password,
      TokenStore tokens,
      Sessions sessions,
      LoginThrottle throttle,
      boolean tls,
      Consumer<String> log) {
    this.api = api;
    this.password = password;
    this.tokens = tokens;
    this.sessions = sessions;
    this.throttle = throttle;
    this.tls = tls;
    this.log = log;
  }

  /** Who made a request: a session or a token. */
  private record Caller(String who, Optional<Sessions.Session> session) {}

  @FunctionalInterface
  private interface Action {
    JsonNode run(JsonNode body) throws DashboardApi.ApiException;
  }

  /** Path → handler, for the service's listener. */
  public Map<String, HttpHandler> routes() {
    Map<String, HttpHandler> routes = new LinkedHashMap<>();
    routes.put("/", this::index);
    routes.put("/login", this::login);
    routes.put("/logout", this::logout);
    for (String asset : ASSETS.keySet()) {
      routes.put(asset, this::asset);
    }
    routes.put("/api/v1/forwards", get(body -> api.forwards()));
    routes.put("/api/v1/table", get(body -> api.table()));
    routes.put("/api/v1/doctor", get(body -> api.doctor()));
    routes.put("/api/v1/history", get(body -> api.history()));
    routes.put("/api/v1/check", post("check", body -> api.check(tableText(body))));
    routes.put("/api/v1/plan", post("plan", body -> api.plan(tableText(body))));
    routes.put(
        "/api/v1/apply",
        post("apply", body -> api.apply(tableText(body), base(body), confirmation(body))));
    routes.put("/api/v1/confirm", post("confirm", body -> api.confirm()));
    routes.put(
        "/api/v1/rollback",
        post("rollback", body -> api.rollback(state(body), confirmation(body))));
    return routes;
  }

  private HttpHandler get(Action action) {
    return exchange -> api(exchange, "GET", null, action);
  }

  private HttpHandler post(String name, Action action) {
    return exchange -> api(exchange, "POST", name, action);
  }

  private void api(HttpExchange exchange, String method, String logged, Action action)
      throws IOException {
    securityHeaders(exchange);
    if (!exchange.getRequestMethod().equals(method)) {
      exchange.getResponseHeaders().set("Allow", method);
      json(exchange, 405, error(method + " only"));
      return;
    }
    Optional<String> hash = password.hash();
    if (hash.isEmpty()) {
      json(
          exchange,
          503,
          error("no dashboard password is set: run 'portfwd passwd' on the gateway"));
      return;
    }
    Optional<Caller> caller = caller(exchange, hash.get());
    if (caller.isEmpty()) {
      json(exchange, 401, error("log in first, or send 'Authorization: Bearer TOKEN'"));
      return;
    }
    if (method.equals("POST") && caller.get().session().isPresent()) {
      Optional<String> refusal = crossSite(exchange, caller.get().session().get());
      if (refusal.isPresent()) {
        log.accept(
            "dashboard: refused " + logged + " from " + address(exchange) + ": " + refusal.get());
        json(exchange, 403, error(refusal.get()));
        return;
      }
    }
    JsonNode body;
    try {
      body = method.equals("POST") ? readJson(exchange) : MAPPER.createObjectNode();
    } catch (TooLargeException e) {
      json(exchange, 413, error(e.getMessage()));
      return;
    } catch (IOException e) {
      json(exchange, 400, error("the request body is not a JSON object: " + e.getMessage()));
      return;
    }
    try {
      JsonNode answer = action.run(body);
      if (logged != null && CHANGES.contains(logged)) {
        log.accept(
            "dashboard: " + logged + " by " + caller.get().who() + " from " + address(exchange));
      }
      json(exchange, 200, answer);
    } catch (DashboardApi.ApiException e) {
      if (logged != null && CHANGES.contains(logged)) {
        log.accept(
            "dashboard: " + logged + " by " + caller.get().who() + " failed (" + e.status() + ")");
      }
      ObjectNode answer = error(e.getMessage());
      e.details().ifPresent(details -> answer.set("details", details));
      json(exchange, e.status(), answer);
    }
  }

  private static String tableText(JsonNode body) throws DashboardApi.ApiException {
    JsonNode table = body.get("table");
    if (table == null || !table.isTextual()) {
      throw new DashboardApi.ApiException(400, "the request needs \"table\": the table's text");
    }
    return table.asText();
  }

  private static Optional<String> base(JsonNode body) throws DashboardApi.ApiException {
    JsonNode base = body.get("base");
    if (base == null || base.isNull()) {
      return Optional.empty();
    }
    if (!base.isTextual()) {
      throw new DashboardApi.ApiException(
          400, "\"base\" takes the \"version\" GET /api/v1/table answered, or null");
    }
    return Optional.of(base.asText());
  }

  private static OptionalLong state(JsonNode body) throws DashboardApi.ApiException {
    JsonNode state = body.get("state");
    if (state == null || state.isNull()) {
      return OptionalLong.empty();
    }
    if (!state.canConvertToLong() || !state.isIntegralNumber() || state.asLong() < 1) {
      throw new DashboardApi.ApiException(
          400, "\"state\" takes the number of a recorded state (GET /api/v1/history), or null");
    }
    return OptionalLong.of(state.asLong());
  }

  private static Optional<Duration> confirmation(JsonNode body) throws DashboardApi.ApiException {
    JsonNode seconds = body.get("confirmSeconds");
    if (seconds == null || seconds.isNull()) {
      return Optional.empty();
    }
    if (!seconds.isIntegralNumber()
        || !seconds.canConvertToInt()
        || seconds.asInt() < 5
        || seconds.asInt() > 3600) {
      throw new DashboardApi.ApiException(
          400, "\"confirmSeconds\" takes a whole number of seconds, 5 to 3600, or null for none");
    }
    return Optional.of(Duration.ofSeconds(seconds.asInt()));
  }

  /**
   * The session or token the request carries, when valid. A bearer token that is not valid is not a
   * fall-back to the cookie: a script with a revoked token must hear so.
   */
  private Optional<Caller> caller(HttpExchange exchange, String hash) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Optional.empty();
      }
      return tokens
          .match(authorization.substring(7).strip())
          .map(token -> new Caller("token " + token.id(), Optional.empty()));
    }
    return sessionId(exchange)
        .flatMap(id -> sessions.find(id, hash))
        .map(session -> new Caller("a session", Optional.of(session)));
  }

  /** Why a session's state-changing request is refused as cross-site; empty when it is not. */
  private static Optional<String> crossSite(HttpExchange exchange, Sessions.Session session) {
    if (!sameOrigin(exchange)) {
      return Optional.of("cross-site request refused (its Origin is not this dashboard)");
    }
    if (!Sessions.csrfMatches(session, exchange.getRequestHeaders().getFirst(CSRF_HEADER))) {
      return Optional.of("missing or wrong " + CSRF_HEADER + " header (reload the page)");
    }
    return Optional.empty();
  }

  /**
   * False when the browser says the request comes from elsewhere. A browser's own {@code
   * Sec-Fetch-Site} decides when present (pages cannot forge it): only {@code same-origin} passes,
   * so another port of the same gateway is refused too. Without it, an {@code Origin} must name the
   * host and port the request was sent to ({@code Origin: null}, which Chrome sends on a form's
   * POST under {@code Referrer-Policy: no-referrer}, does not). No header at all: not a browser,
   * and the CSRF token still decides.
   */
  static boolean sameOrigin(HttpExchange exchange) {
    String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
    if (site != null) {
      return site.equals("same-origin");
    }
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    if (origin == null) {
      return true;
    }
    String host = exchange.getRequestHeaders().getFirst("Host");
    try {
      URI uri = new URI(origin);
      String authority = uri.getRawAuthority();
      return host != null && authority != null && authority.equalsIgnoreCase(host);
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private void index(HttpExchange exchange) throws IOException {
    securityHeaders(exchange);
    if (!isGet(exchange)) {
      return;
    }
    Optional<String> hash = password.hash();
    if (hash.isEmpty()) {
      page(exchange, 503, setupPage());
      return;
    }
    Optional<Sessions.Session> session =
        sessionId(exchange).flatMap(id -> sessions.find(id, hash.get()));
    if (session.isEmpty()) {
      page(exchange, 401, loginPage(""));
      return;
    }
    page(exchange, 200, StaticAssets.text("index.html").replace("{{csrf}}", session.get().csrf()));
  }

  private void login(HttpExchange exchange) throws IOException {
    securityHeaders(exchange);
    Optional<String> hash = password.hash();
    if (hash.isEmpty()) {
      page(exchange, 503, setupPage());
      return;
    }
    if (exchange.getRequestMethod().equals("GET") || exchange.getRequestMethod().equals("HEAD")) {
      page(exchange, 200, loginPage(""));
      return;
    }
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "GET, POST");
      page(exchange, 405, loginPage(""));
      return;
    }
    String address = address(exchange);
    if (!sameOrigin(exchange)) {
      log.accept("dashboard: cross-site login attempt from " + address + " refused");
      page(exchange, 403, loginPage("That login came from another site and was refused."));
      return;
    }
    Optional<Duration> wait = throttle.waitFor(address);
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
      page(
          exchange,
          429,
          loginPage("Too many wrong passwords: try again in " + seconds + " seconds."));
      return;
    }
    if (!logins.tryAcquire()) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      page(exchange, 429, loginPage("Too many logins at once: try again in a second."));
      return;
    }
    boolean right;
    try {
      char[] given;
      try {
        given = formField(exchange, "password");
      } catch (TooLargeException e) {
        page(exchange, 413, loginPage("That login was too large."));
        return;
      }
      try {
        hashing.acquireUninterruptibly();
        right = PasswordHasher.verify(given, hash.get());
      } finally {
        hashing.release();
        Arrays.fill(given, '\0');
      }
    } finally {
      logins.release();
    }
    if (!right) {
      throttle.failed(address);
      log.accept("dashboard: wrong password from " + address);
      page(exchange, 401, loginPage("Wrong password."));
      return;
    }
    throttle.succeeded(address);
    Sessions.Session session = sessions.open(hash.get());
    log.accept("dashboard: logged in from " + address);
    exchange.getResponseHeaders().add("Set-Cookie", cookie(session.id(), Sessions.LIFETIME));
    exchange.getResponseHeaders().set("Location", "/");
    exchange.sendResponseHeaders(303, -1);
  }

  private void logout(HttpExchange exchange) throws IOException {
    securityHeaders(exchange);
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "POST");
      json(exchange, 405, error("POST only"));
      return;
    }
    Optional<String> hash = password.hash();
    Optional<Sessions.Session> session =
        hash.flatMap(h -> sessionId(exchange).flatMap(id -> sessions.find(id, h)));
    if (session.isEmpty()) {
      json(exchange, 401, error("not logged in"));
      return;
    }
    Optional<String> refusal = crossSite(exchange, session.get());
    if (refusal.isPresent()) {
      json(exchange, 403, error(refusal.get()));
      return;
    }
    sessions.close(session.get().id());
    log.accept("dashboard: logged out from " + address(exchange));
    exchange.getResponseHeaders().add("Set-Cookie", cookie("", Duration.ZERO));
    json(exchange, 200, MAPPER.createObjectNode().put("loggedOut", true));
  }

  private void asset(HttpExchange exchange) throws IOException {
    securityHeaders(exchange);
    if (!isGet(exchange)) {
      return;
    }
    String path = exchange.getRequestURI().getPath();
    byte[] bytes = StaticAssets.bytes(path.substring("/assets/".length()));
    exchange.getResponseHeaders().set("Content-Type", ASSETS.get(path));
    send(exchange, 200, bytes);
  }

  private boolean isGet(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if (method.equals("GET") || method.equals("HEAD")) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", "GET");
    send(exchange, 405, "GET only\n".getBytes(StandardCharsets.UTF_8));
    return false;
  }

  private String cookie(String value, Duration maxAge) {
    return COOKIE
        + "="
        + value
        + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
        + maxAge.toSeconds()
        + (tls ? "; Secure" : "");
  }

  private static Optional<String> sessionId(HttpExchange exchange) {
    List<String> headers = exchange.getRequestHeaders().get("Cookie");
    if (headers == null) {
      return Optional.empty();
    }
    for (String header : headers) {
      for (String part : header.split(";")) {
        String pair = part.strip();
        if (pair.startsWith(COOKIE + "=")) {
          return Optional.of(pair.substring(COOKIE.length() + 1)).filter(s -> !s.isEmpty());
        }
      }
    }
    return Optional.empty();
  }

  private static char[] formField(HttpExchange exchange, String name) throws IOException {
    String body = new String(readBody(exchange, 64 * 1024), StandardCharsets.UTF_8);
    for (String pair : body.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0 && pair.substring(0, equals).equals(name)) {
        try {
          return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8)
              .toCharArray();
        } catch (IllegalArgumentException e) {
          return new char[0]; // a broken %-escape: no password a browser sends, so a wrong one
        }
      }
    }
    return new char[0];
  }

  private static JsonNode readJson(HttpExchange exchange) throws IOException {
    byte[] bytes = readBody(exchange, MAX_BODY);
    if (bytes.length == 0) {
      return MAPPER.createObjectNode();
    }
    JsonNode node = BODY_READER.readTree(bytes);
    if (node == null || !node.isObject()) {
      throw new IOException("expected an object");
    }
    return node;
  }

  /** A request body over its limit: answered 413. */
  private static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(int limit) {
      super("the request body is larger than " + limit + " bytes; nothing was changed");
    }
  }

  /**
   * The request's body, up to {@code limit} bytes. A {@code Content-Length} over it is refused
   * before a byte is read; a body that only turns out larger (chunked) is read no further.
   */
  private static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > limit) {
          throw new TooLargeException(limit);
        }
      } catch (NumberFormatException e) {
        // The JDK's server has already refused such a request.
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(limit + 1);
      if (bytes.length > limit) {
        throw new TooLargeException(limit);
      }
      return bytes;
    }
  }

  private static String address(HttpExchange exchange) {
    return exchange.getRemoteAddress().getAddress().getHostAddress();
  }

  private static void securityHeaders(HttpExchange exchange) {
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Security-Policy", CSP);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    // Not no-referrer: under it Chrome sends "Origin: null" with the login form's POST, and over
    // plain HTTP to an address other than localhost it sends no Sec-Fetch-Site either, so the
    // origin check could not tell the page's own form from a forged one.
    headers.set("Referrer-Policy", "same-origin");
    headers.set("Cache-Control", "no-store");
  }

  private static ObjectNode error(String message) {
    return MAPPER.createObjectNode().put("error", message);
  }

  private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    send(exchange, status, MAPPER.writeValueAsBytes(body));
  }

  private static void page(HttpExchange exchange, int status, String html) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    send(exchange, status, html.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head || bytes.length == 0 ? -1 : bytes.length);
    if (!head && bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private String loginPage(String message) {
    return StaticAssets.text("login.html").replace("{{message}}", StaticAssets.escapeHtml(message));
  }

  private String setupPage() {
    return StaticAssets.text("setup.html")
        .replace("{{file}}", StaticAssets.escapeHtml(password.path().toString()));
  }
}
