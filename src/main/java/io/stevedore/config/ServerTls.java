package io.stevedore.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * HTTPS on the edge, as configured under {@code server.tls}: the server presents the certificate
 * chain of {@code cert-file} with the private key of {@code key-file} (both PEM), and, when there
 * is a {@code client-ca-file}, serves only clients presenting a certificate that one of its CAs
 * signed (mutual TLS). The files are read again whenever they change, so this names them rather
 * than holding their contents.
 *
 * @param certFile the server's certificate, followed by any intermediate CA certificates
 * @param keyFile its private key: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted
 * @param clientCaFile the CA certificates client certificates must be signed by
 */
public record ServerTls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {
  private static final byte[] PROBE = "stevedore key check".getBytes(StandardCharsets.US_ASCII);

  public ServerTls {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(clientCaFile, "clientCaFile");
  }

  /** The files whose change means new material to read. */
  public List<Path> files() {
    List<Path> files = new ArrayList<>(List.of(certFile, keyFile));
    clientCaFile.ifPresent(files::add);
    return List.copyOf(files);
  }

  /**
   * Reads the files as they are now and checks that they fit together.
   *
   * @throws IllegalArgumentException naming the key ({@code server.tls.key-file}) and the file, and
   *     saying what is wrong: unreadable, no PEM certificate or key, or a key that is not the
   *     certificate's (as while a rotation has replaced one file but not yet the other)
   */
  public Material read() {
    List<X509Certificate> chain = named("cert-file", () -> Pem.certificates(certFile));
    PrivateKey key = named("key-file", () -> Pem.privateKey(keyFile));
    if (!belongTogether(key, chain.getFirst().getPublicKey())) {
      throw new IllegalArgumentException(
          "server.tls.key-file: "
              + keyFile
              + " is not the private key of the certificate in "
              + certFile);
    }
    List<X509Certificate> clientCas =
        clientCaFile.isPresent()
            ? named("client-ca-file", () -> Pem.certificates(clientCaFile.get()))
            : List.of();
    return new Material(key, chain, clientCas);
  }

  /**
   * What the files held when they were read.
   *
   * @param key the server's private key
   * @param chain its certificate first, then intermediates
   * @param clientCas whom client certificates must be signed by; empty without mutual TLS
   */
  public record Material(
      PrivateKey key, List<X509Certificate> chain, List<X509Certificate> clientCas) {
    public Material {
      chain = List.copyOf(chain);
      clientCas = List.copyOf(clientCas);
    }

    /** The server's own certificate. */
    public X509Certificate certificate() {
      return chain.getFirst();
    }
  }

  private static <T> T named(String key, Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("server.tls." + key + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code key} signs what {@code certified} verifies: a key and certificate pair. */
  private static boolean belongTogether(PrivateKey key, PublicKey certified) {
    if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
      return false;
    }
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm(); // EdDSA signs under its own name
        };
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
