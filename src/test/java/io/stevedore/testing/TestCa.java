package io.stevedore.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority for tests, made by the {@code openssl} command line in a directory of its
 * own, as an operator would make one: it issues server certificates for 127.0.0.1 and client
 * certificates, with keys in each PEM encoding OpenSSL writes, and builds clients that trust it.
 */
public final class TestCa {
  private static final char[] STORE_PASSWORD = "test".toCharArray();

  private final Path dir;
  private final Path certificate;
  private final Path key;

  /** A private key encoding, as the openssl command that writes it. */
  public enum KeyFormat {
    /** {@code BEGIN PRIVATE KEY}, EC P-256: what {@code openssl req -newkey} writes. */
    PKCS8_EC("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"),
    PKCS8_RSA("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
    PKCS8_ED25519("genpkey", "-algorithm", "ed25519"),
    /** {@code BEGIN RSA PRIVATE KEY}. */
    PKCS1_RSA("genrsa", "-traditional"),
    /** {@code BEGIN EC PARAMETERS}, then {@code BEGIN EC PRIVATE KEY}. */
    SEC1_EC("ecparam", "-name", "prime256v1", "-genkey");

    private final List<String> command;

    KeyFormat(String... command) {
      this.command = List.of(command);
    }
  }

  /** A certificate and its key, as PEM files. */
  public record Issued(Path certificate, Path key) {
    /** The certificate, parsed. */
    public X509Certificate x509() {
      return certificates(certificate).getFirst();
    }
  }

  private TestCa(Path dir, Path certificate, Path key) {
    this.dir = dir;
    this.certificate = certificate;
    this.key = key;
  }

  /** A new CA named {@code CN=name}, its files in {@code dir}. */
  public static TestCa create(Path dir, String name) {
    Path certificate = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=" + name,
        "-keyout",
        key.toString(),
        "-out",
        certificate.toString());
    return new TestCa(dir, certificate, key);
  }

  /** The CA's certificate (PEM): what clients trust. */
  public Path certificate() {
    return certificate;
  }

  /** A server certificate for 127.0.0.1 and localhost, with a PKCS#8 EC key. */
  public Issued server(String name) {
    return server(name, KeyFormat.PKCS8_EC);
  }

  /** A server certificate for 127.0.0.1 and localhost, with a key in {@code format}. */
  public Issued server(String name, KeyFormat format) {
    return issue(
        name, format, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  }

  /** A client certificate for mutual TLS. */
  public Issued client(String name) {
    return issue(name, KeyFormat.PKCS8_EC, "extendedKeyUsage=clientAuth\n");
  }

  private Issued issue(String name, KeyFormat format, String extensions) {
    Path issuedKey = dir.resolve(name + ".key");
    Path request = dir.resolve(name + ".csr");
    Path extensionFile = dir.resolve(name + ".ext");
    Path issued = dir.resolve(name + ".crt");
    List<String> generate = new ArrayList<>(format.command);
    generate.addAll(List.of("-out", issuedKey.toString()));
    openssl(dir, generate.toArray(new String[0]));
    openssl(
        dir,
        "req",
        "-new",
        "-key",
        issuedKey.toString(),
        "-subj",
        "/CN=" + name,
        "-out",
        request.toString());
    write(extensionFile, "basicConstraints=CA:FALSE\n" + extensions);
    // No -set_serial: openssl picks a random serial, so every certificate differs.
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        request.toString(),
        "-CA",
        certificate.toString(),
        "-CAkey",
        key.toString(),
        "-days",
        "2",
        "-extfile",
        extensionFile.toString(),
        "-out",
        issued.toString());
    return new Issued(issued, issuedKey);
  }

  /** A TLS client context trusting this CA and presenting no certificate. */
  public SSLContext clientContext() {
    return context(null);
  }

  /** A TLS client context trusting this CA and presenting {@code identity} (mutual TLS). */
  public SSLContext clientContext(Issued identity) {
    return context(identity);
  }

  private SSLContext context(Issued identity) {
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", certificates(certificate).getFirst());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(identity == null ? null : keyStore(identity), STORE_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(identity == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS client context: " + e, e);
    }
  }

  /** {@code identity} as a PKCS#12 key store, converted by openssl (the JDK reads no PEM keys). */
  private KeyStore keyStore(Issued identity) throws GeneralSecurityException, IOException {
    Path store = Files.createTempFile(dir, "identity-", ".p12");
    openssl(
        dir,
        "pkcs12",
        "-export",
        "-in",
        identity.certificate().toString(),
        "-inkey",
        identity.key().toString(),
        "-passout",
        "pass:" + new String(STORE_PASSWORD),
        "-out",
        store.toString());
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, STORE_PASSWORD);
    }
    return keyStore;
  }

  /**
   * The certificate a server on 127.0.0.1:{@code port} presents to {@code client} in a new
   * handshake, its host name checked as HTTPS does.
   */
  public static X509Certificate servedCertificate(SSLContext client, int port) {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    } catch (IOException e) {
      throw new UncheckedIOException("no TLS handshake with 127.0.0.1:" + port, e);
    }
  }

  /**
   * Replaces {@code target} by a copy of {@code source} in one rename, as rotation tools do: a
   * reader sees the old file or the new one, never half of it.
   */
  public static void replace(Path target, Path source) {
    try {
      Path next = Files.copy(source, target.resolveSibling(target.getFileName() + ".next"));
      Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every certificate in a PEM file. */
  public static List<X509Certificate> certificates(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(X509Certificate.class::cast)
          .toList();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot read certificates of " + pem + ": " + e, e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void openssl(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " failed:\n" + new String(output, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run openssl (is it installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
