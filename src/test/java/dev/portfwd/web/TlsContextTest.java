package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextTest {

  @TempDir Path dir;

  private record Pem(Path cert, Path key, X509Certificate certificate) {}

  /**
   * A self-signed certificate for 127.0.0.1 made by openssl, as an administrator would; its key in
   * PKCS#8 or in the traditional form of its algorithm (PKCS#1 for RSA, SEC1 for EC).
   */
  private Pem selfSigned(String algorithm, boolean pkcs8) throws Exception {
    Path cert = dir.resolve(algorithm + ".crt");
    Path key = dir.resolve(algorithm + (pkcs8 ? ".pk8" : ".key"));
    Path made = dir.resolve(algorithm + ".made");
    openssl(
        "req",
        "-x509",
        "-newkey",
        algorithm.equals("EC") ? "ec" : "rsa:2048",
        "-pkeyopt",
        algorithm.equals("EC") ? "ec_paramgen_curve:P-256" : "rsa_keygen_bits:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=portfwd.test",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        made.toString(),
        "-out",
        cert.toString());
    if (pkcs8) {
      openssl("pkcs8", "-topk8", "-nocrypt", "-in", made.toString(), "-out", key.toString());
    } else if (algorithm.equals("EC")) {
      openssl("ec", "-in", made.toString(), "-out", key.toString());
    } else {
      openssl("rsa", "-traditional", "-in", made.toString(), "-out", key.toString());
    }
    X509Certificate certificate;
    try (var in = Files.newInputStream(cert)) {
      certificate =
          (X509Certificate)
              java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    return new Pem(cert, key, certificate);
  }

  private static void openssl(String... args) throws Exception {
    java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("openssl"));
    argv.addAll(java.util.List.of(args));
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("%s: %s", argv, output).isZero();
  }

  @Test
  void readsTraditionalAndPkcs8KeysOfRsaAndEc() throws Exception {
    for (String algorithm : new String[] {"RSA", "EC"}) {
      for (boolean pkcs8 : new boolean[] {true, false}) {
        Pem pem = selfSigned(algorithm, pkcs8);
        String header = Files.readString(pem.key()).lines().findFirst().orElseThrow();
        assertThat(header)
            .isEqualTo(
                pkcs8
                    ? "-----BEGIN PRIVATE KEY-----"
                    : "-----BEGIN " + algorithm + " PRIVATE KEY-----");
        assertThat(TlsContext.fromPem(pem.cert(), pem.key()).getProtocol()).isEqualTo("TLS");
      }
    }
  }

  @Test
  void refusesAKeyThatIsNotTheCertificatesNamingBothFiles() throws Exception {
    Pem ec = selfSigned("EC", true);
    Path otherEc = dir.resolve("other-ec.pk8");
    openssl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        otherEc.toString());
    Pem rsa = selfSigned("RSA", false);
    for (Path[] pair :
        new Path[][] {{ec.cert(), otherEc}, {ec.cert(), rsa.key()}, {rsa.cert(), ec.key()}}) {
      assertThatThrownBy(() -> TlsContext.fromPem(pair[0], pair[1]))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(
              pair[1] + " is not the private key of the certificate in " + pair[0]);
    }
  }

  @Test
  void namesTheFileThatHoldsNoKeyOrCertificate() throws Exception {
    Pem pem = selfSigned("EC", true);
    Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
    assertThatThrownBy(() -> TlsContext.fromPem(pem.cert(), empty))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(empty.toString());
    assertThatThrownBy(() -> TlsContext.fromPem(empty, pem.key()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(empty.toString());
  }

  @Test
  void servesTheDashboardOverTlsWithASecureCookie() throws Exception {
    Pem pem = selfSigned("EC", false);
    SecretFiles files = new SecretFiles(dir);
    PasswordFile password = new PasswordFile(files.passwordFile());
    password.set(
        "correct horse".toCharArray(),
        new PasswordHasher(new PasswordHasher.Cost(64, 1, 1), new SecureRandom()));
    SessionsTest.MovableClock clock = new SessionsTest.MovableClock();
    Map<String, HttpHandler> routes =
        new Dashboard(
                null,
                password,
                new TokenStore(files.tokenFile(), clock, new SecureRandom()),
                new Sessions(clock, new SecureRandom()),
                new LoginThrottle(clock),
                /* tls= */ true,
                line -> {})
            .routes();
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.setHttpsConfigurator(new HttpsConfigurator(TlsContext.fromPem(pem.cert(), pem.key())));
    server.createContext(
        "/",
        exchange -> {
          routes.get(exchange.getRequestURI().getPath()).handle(exchange);
          exchange.close();
        });
    server.start();
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("portfwd", pem.certificate());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext clientContext = SSLContext.getInstance("TLS");
      clientContext.init(null, trust.getTrustManagers(), null);
      HttpClient client = HttpClient.newBuilder().sslContext(clientContext).build();
      URI base = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(base.resolve("/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("password=correct+horse"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(303);
      assertThat(response.headers().firstValue("Set-Cookie").orElseThrow())
          .contains("; Secure", "; HttpOnly", "; SameSite=Strict");
    } finally {
      server.stop(0);
    }
  }
}
