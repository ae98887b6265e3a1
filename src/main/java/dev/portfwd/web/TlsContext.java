package dev.portfwd.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The TLS context of {@code --tls-cert FILE --tls-key FILE}: a PEM certificate chain (the server's
 * certificate first) and its unencrypted PEM private key in any of the forms openssl and certbot
 * write (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}),
 * read with Bouncy Castle's PEM parser since the JDK reads none of the key forms itself.
 */
public final class TlsContext {

  private TlsContext() {}

  /**
   * A TLS server context for the certificate chain in {@code certFile} and the key in {@code
   * keyFile}.
   *
   * @throws IOException when a file cannot be read or holds no certificate or key; the message
   *     names the file
   */
  public static SSLContext fromPem(Path certFile, Path keyFile) throws IOException {
    Certificate[] chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile);
    requirePair(chain[0], key, certFile, keyFile);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("portfwd", key, password, chain);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot use " + certFile + " with " + keyFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Signs with {@code key} and checks the signature with the certificate's public key: a key of
   * another certificate would otherwise start a listener whose every handshake fails.
   */
  private static void requirePair(Certificate certificate, PrivateKey key, Path cert, Path keyFile)
      throws IOException {
    String problem = cert + " (its first certificate); give the key that belongs to it";
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default -> null;
        };
    if (algorithm == null) {
      throw new IOException(
          keyFile + " holds a " + key.getAlgorithm() + " key; use an RSA, EC or Ed25519 key");
    }
    byte[] probe = "portfwd key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // A key of another algorithm than the certificate's: not its key either.
    }
    throw new IOException(keyFile + " is not the private key of the certificate in " + problem);
  }

  private static Certificate[] certificates(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IOException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
      }
      return certificates.toArray(Certificate[]::new);
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PEMKeyPair pair) {
          // Only the private part: an EC key written without its public point is still a key.
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(file + " is not a PEM private key: " + e.getMessage(), e);
    }
    throw new IOException(
        file
            + " holds no unencrypted PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE"
            + " KEY)");
  }
}
