package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpHandler;
import dev.portfwd.metrics.HttpEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's routes over a real loopback listener, with a fake API behind them. */
class DashboardTest {

  private static final String PASSWORD = "correct horse battery";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> API_GETS =
      List.of("/api/v1/forwards", "/api/v1/table", "/api/v1/doctor", "/api/v1/history");
  private static final List<String> API_POSTS =
      List.of(
          "/api/v1/check", "/api/v1/plan", "/api/v1/apply", "/api/v1/confirm", "/api/v1/rollback");

  @TempDir Path dir;

  private final SessionsTest.MovableClock clock = new SessionsTest.MovableClock();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpEndpoint server;
  private Map<String, HttpHandler> routes;
  private PasswordFile password;
  private TokenStore tokens;

  /** Answers every call with its name; records the calls. */
  private final class FakeApi implements DashboardApi {
    private JsonNode answer(String name) {
      calls.add(name);
      return MAPPER.createObjectNode().put("called", name);
    }

    @Override
    public JsonNode forwards() {
      return answer("forwards");
    }

    @Override
    public JsonNode table() {
      return answer("table");
    }

    @Override
    public JsonNode check(String text) {
      return answer("check " + text);
    }

    @Override
    public JsonNode plan(String text) {
      return answer("plan");
    }

    @Override
    public JsonNode apply(String text, Optional<String> base, Optional<Duration> confirm) {
      return answer(
          "apply "
              + confirm.map(Duration::toSeconds).orElse(-1L)
              + base.map(b -> " from " + b).orElse(""));
    }

    @Override
    public JsonNode confirm() {
      return answer("confirm");
    }

    @Override
    public JsonNode rollback(OptionalLong state, Optional<Duration> confirm) throws ApiException {
      if (state.isEmpty()) {
        throw new ApiException(409, "nothing to roll back");
      }
      return answer(
          "rollback to " + state.getAsLong() + " " + confirm.map(Duration::toSeconds).orElse(-1L));
    }

    @Override
    public JsonNode doctor() {
      return answer("doctor");
    }

    @Override
    public JsonNode history() {
      return answer("history");
    }
  }

  private URI start(boolean withPassword) throws Exception {
    SecretFiles files = new SecretFiles(dir);
    password = new PasswordFile(files.passwordFile());
    if (withPassword) {
      password.set(
          PASSWORD.toCharArray(),
          new PasswordHasher(new PasswordHasher.Cost(64, 1, 1), new SecureRandom()));
    }
    tokens = new TokenStore(files.tokenFile(), clock, new SecureRandom());
    Dashboard dashboard =
        new Dashboard(
            new FakeApi(),
            password,
            tokens,
            new Sessions(clock, new SecureRandom()),
            new LoginThrottle(clock),
            /* tls= */ false,
            log::add);
    routes = dashboard.routes();
    // The service's own listener, as watch --http serves the dashboard.
    server = HttpEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes);
    return URI.create("http://127.0.0.1:" + server.address().getPort());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> get(URI base, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI base, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> login(URI base, String password) throws Exception {
    return post(
        base,
        "/login",
        "password=" + java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8),
        "Content-Type",
        "application/x-www-form-urlencoded");
  }

  /** A logged-in session: its cookie header and CSRF token. */
  private record Login(String cookie, String csrf) {}

  private Login loggedIn(URI base) throws Exception {
    HttpResponse<String> response = login(base, PASSWORD);
    assertThat(response.statusCode()).isEqualTo(303);
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    HttpResponse<String> page = get(base, "/", "Cookie", cookie);
    Matcher csrf = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"").matcher(page.body());
    assertThat(csrf.find()).as(page.body()).isTrue();
    return new Login(cookie, csrf.group(1));
  }

  @Test
  void withoutSessionOrTokenTheApiAnswers401AndThePageShowsTheLoginForm() throws Exception {
    URI base = start(true);
    // The lists are the dashboard's own routes: a new one must be added here, and so checked.
    assertThat(routes.keySet().stream().filter(path -> path.startsWith("/api/")))
        .containsExactlyInAnyOrderElementsOf(
            java.util.stream.Stream.concat(API_GETS.stream(), API_POSTS.stream()).toList());
    assertThat(routes.keySet())
        .allMatch(
            path ->
                path.startsWith("/api/")
                    || path.startsWith("/assets/")
                    || List.of("/", "/login", "/logout").contains(path),
            "an API call, an asset, the page, /login or /logout");
    assertThat(post(base, "/logout", "{}").statusCode()).isEqualTo(401);
    for (String path : API_GETS) {
      assertThat(get(base, path).statusCode()).as(path).isEqualTo(401);
    }
    for (String path : API_POSTS) {
      assertThat(post(base, path, "{}").statusCode()).as(path).isEqualTo(401);
    }
    HttpResponse<String> page = get(base, "/");
    assertThat(page.statusCode()).isEqualTo(401);
    assertThat(page.body()).contains("<form method=\"post\" action=\"/login\"");
    assertThat(get(base, "/assets/app.js").statusCode()).isEqualTo(200);
    assertThat(get(base, "/login").statusCode()).isEqualTo(200);
    assertThat(calls).isEmpty();
  }

  @Test
  void aForgedOrExpiredCookieIsNoSession() throws Exception {
    URI base = start(true);
    assertThat(get(base, "/api/v1/forwards", "Cookie", Dashboard.COOKIE + "=forged").statusCode())
        .isEqualTo(401);
    Login login = loggedIn(base);
    clock.advance(Sessions.IDLE);
    assertThat(get(base, "/api/v1/forwards", "Cookie", login.cookie()).statusCode()).isEqualTo(401);
  }

  @Test
  void loginSetsAnHttpOnlySameSiteStrictCookieAndOpensTheApi() throws Exception {
    URI base = start(true);
    HttpResponse<String> response = login(base, PASSWORD);
    assertThat(response.statusCode()).isEqualTo(303);
    assertThat(response.headers().firstValue("Location")).contains("/");
    assertThat(response.headers().firstValue("Set-Cookie").orElseThrow())
        .startsWith(Dashboard.COOKIE + "=")
        .contains("; HttpOnly", "; SameSite=Strict", "; Path=/")
        .doesNotContain("Secure");
    Login login = loggedIn(base);
    assertThat(get(base, "/api/v1/forwards", "Cookie", login.cookie()).body())
        .contains("\"called\":\"forwards\"");
  }

  @Test
  void everyChangeNeedsTheSessionsCsrfTokenAndItsOwnOrigin() throws Exception {
    URI base = start(true);
    Login login = loggedIn(base);
    String body = "{\"table\":\"1 192.0.2.2\"}";
    for (String path : API_POSTS) {
      assertThat(post(base, path, body, "Cookie", login.cookie()).statusCode())
          .as("no token: %s", path)
          .isEqualTo(403);
      assertThat(
              post(base, path, body, "Cookie", login.cookie(), "X-CSRF-Token", "wrong")
                  .statusCode())
          .as("wrong token: %s", path)
          .isEqualTo(403);
    }
    HttpResponse<String> crossSite =
        post(
            base,
            "/api/v1/apply",
            body,
            "Cookie",
            login.cookie(),
            "X-CSRF-Token",
            login.csrf(),
            "Origin",
            "http://attacker.test");
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.body()).contains("cross-site");
    assertThat(
            post(
                    base,
                    "/api/v1/apply",
                    body,
                    "Cookie",
                    login.cookie(),
                    "X-CSRF-Token",
                    login.csrf(),
                    "Sec-Fetch-Site",
                    "cross-site")
                .statusCode())
        .isEqualTo(403);
    assertThat(calls).isEmpty();
    HttpResponse<String> sameSite =
        post(
            base,
            "/api/v1/apply",
            "{\"table\":\"x\",\"confirmSeconds\":30}",
            "Cookie",
            login.cookie(),
            "X-CSRF-Token",
            login.csrf(),
            "Origin",
            base.toString());
    assertThat(sameSite.statusCode()).isEqualTo(200);
    assertThat(calls).containsExactly("apply 30");
  }

  @Test
  void aLoginFromAnotherSiteIsRefused() throws Exception {
    URI base = start(true);
    HttpResponse<String> response =
        post(
            base,
            "/login",
            "password=" + PASSWORD.replace(' ', '+'),
            "Content-Type",
            "application/x-www-form-urlencoded",
            "Origin",
            "http://attacker.test");
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void fiveWrongPasswordsSlowDownTheNextAttemptEvenWithTheRightOne() throws Exception {
    URI base = start(true);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> wrong = login(base, "guess " + i);
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).contains("Wrong password.");
    }
    HttpResponse<String> refused = login(base, PASSWORD);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).contains("2");
    assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
    clock.advance(LoginThrottle.FIRST_WAIT);
    assertThat(login(base, PASSWORD).statusCode()).isEqualTo(303);
  }

  @Test
  void aBearerTokenNeedsNoCsrfAndStopsWorkingWhenRevoked() throws Exception {
    URI base = start(true);
    String token = tokens.create("script");
    assertThat(get(base, "/api/v1/history", "Authorization", "Bearer " + token).statusCode())
        .isEqualTo(200);
    assertThat(post(base, "/api/v1/confirm", "{}", "Authorization", "Bearer " + token).statusCode())
        .isEqualTo(200);
    tokens.revoke(tokens.list().get(0).id());
    assertThat(get(base, "/api/v1/history", "Authorization", "Bearer " + token).statusCode())
        .isEqualTo(401);
    assertThat(log).noneMatch(line -> line.contains(token.substring(13)));
  }

  @Test
  void withoutAPasswordOnlyTheSetupPageIsServed() throws Exception {
    URI base = start(false);
    HttpResponse<String> page = get(base, "/");
    assertThat(page.statusCode()).isEqualTo(503);
    assertThat(page.body()).contains("portfwd passwd").contains(password.path().toString());
    assertThat(get(base, "/login").body()).contains("portfwd passwd");
    assertThat(login(base, "anything").statusCode()).isEqualTo(503);
    for (String path : API_GETS) {
      assertThat(get(base, path).statusCode()).as(path).isEqualTo(503);
    }
    assertThat(calls).isEmpty();
  }

  @Test
  void everyAnswerCarriesAStrictContentSecurityPolicy() throws Exception {
    URI base = start(true);
    for (String path : List.of("/", "/login", "/assets/app.js", "/api/v1/forwards")) {
      HttpResponse<String> response = get(base, path);
      String csp = response.headers().firstValue("Content-Security-Policy").orElseThrow();
      assertThat(csp).as(path).contains("script-src 'self'").doesNotContain("unsafe-inline");
      assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }
  }

  @Test
  void pagesHaveNoInlineScriptsOrStyles() {
    for (String page : List.of("index.html", "login.html", "setup.html")) {
      String html = StaticAssets.text(page);
      assertThat(html).as(page).doesNotContain("<style").doesNotContain(" style=");
      assertThat(html.replaceAll("<script src=\"/assets/app.js\" defer></script>", ""))
          .as(page)
          .doesNotContain("<script");
      assertThat(html).doesNotContainPattern(" on[a-z]+=");
    }
    assertThat(StaticAssets.text("app.js")).doesNotContain("innerHTML").doesNotContain("eval(");
  }

  @Test
  void logoutEndsTheSessionAndNeedsCsrf() throws Exception {
    URI base = start(true);
    Login login = loggedIn(base);
    assertThat(post(base, "/logout", "{}", "Cookie", login.cookie()).statusCode()).isEqualTo(403);
    HttpResponse<String> out =
        post(base, "/logout", "{}", "Cookie", login.cookie(), "X-CSRF-Token", login.csrf());
    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
    assertThat(get(base, "/api/v1/forwards", "Cookie", login.cookie()).statusCode()).isEqualTo(401);
  }

  @Test
  void apiErrorsKeepTheirStatusAndNothingSecretIsLogged() throws Exception {
    URI base = start(true);
    login(base, "a wrong password");
    Login login = loggedIn(base);
    HttpResponse<String> response =
        post(
            base, "/api/v1/rollback", "{}", "Cookie", login.cookie(), "X-CSRF-Token", login.csrf());
    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.body()).contains("nothing to roll back");
    assertThat(log).isNotEmpty();
    assertThat(log)
        .noneMatch(line -> line.contains(PASSWORD))
        .noneMatch(line -> line.contains("a wrong password"))
        .noneMatch(line -> line.contains(login.csrf()))
        .noneMatch(line -> line.contains(login.cookie().substring(Dashboard.COOKIE.length() + 1)));
  }

  @Test
  void aRollbackNamesTheStateToReturnToAndItsConfirmationTime() throws Exception {
    URI base = start(true);
    Login login = loggedIn(base);
    HttpResponse<String> chosen =
        post(
            base,
            "/api/v1/rollback",
            "{\"state\": 3, \"confirmSeconds\": 30}",
            "Cookie",
            login.cookie(),
            "X-CSRF-Token",
            login.csrf());
    assertThat(chosen.statusCode()).as(chosen.body()).isEqualTo(200);
    assertThat(calls).contains("rollback to 3 30");
    for (String bad : List.of("\"3\"", "0", "2.5", "-1")) {
      HttpResponse<String> refused =
          post(
              base,
              "/api/v1/rollback",
              "{\"state\": " + bad + "}",
              "Cookie",
              login.cookie(),
              "X-CSRF-Token",
              login.csrf());
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(refused.body()).contains("number of a recorded state");
    }
  }

  @Test
  void anApplyPassesOnTheVersionItWasEditedFrom() throws Exception {
    URI base = start(true);
    String token = tokens.create("script");
    HttpResponse<String> applied =
        post(
            base,
            "/api/v1/apply",
            "{\"table\": \"x\", \"base\": \"abc123\"}",
            "Authorization",
            "Bearer " + token);
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    assertThat(
            post(
                    base,
                    "/api/v1/apply",
                    "{\"table\": \"x\", \"base\": null}",
                    "Authorization",
                    "Bearer " + token)
                .statusCode())
        .isEqualTo(200);
    assertThat(calls).containsExactly("apply -1 from abc123", "apply -1");
    HttpResponse<String> refused =
        post(
            base,
            "/api/v1/apply",
            "{\"table\": \"x\", \"base\": 7}",
            "Authorization",
            "Bearer " + token);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("\\\"base\\\" takes");
  }

  @Test
  void aBrowsersSameOriginFormPostWithANullOriginLogsIn() throws Exception {
    URI base = start(true);
    HttpResponse<String> response =
        post(
            base,
            "/login",
            "password=" + PASSWORD.replace(' ', '+'),
            "Content-Type",
            "application/x-www-form-urlencoded",
            "Origin",
            "null",
            "Sec-Fetch-Site",
            "same-origin");
    assertThat(response.statusCode()).isEqualTo(303);
    HttpResponse<String> sameSite =
        post(
            base,
            "/login",
            "password=" + PASSWORD.replace(' ', '+'),
            "Content-Type",
            "application/x-www-form-urlencoded",
            "Sec-Fetch-Site",
            "same-site");
    assertThat(sameSite.statusCode()).as("another port of the same host").isEqualTo(403);
    HttpResponse<String> nullOrigin =
        post(
            base,
            "/login",
            "password=" + PASSWORD.replace(' ', '+'),
            "Content-Type",
            "application/x-www-form-urlencoded",
            "Origin",
            "null");
    assertThat(nullOrigin.statusCode()).as("a null origin alone").isEqualTo(403);
  }
}
