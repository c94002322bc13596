package io.stevedore.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as OpenSSL writes them, read with the JDK alone. Every failure is an {@link
 * IllegalArgumentException} whose message names the file and says what is wrong with it.
 */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA");

  private Pem() {}

  /** Every certificate in {@code file}, in its order (a chain starts with its leaf). */
  static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    Matcher block = BLOCK.matcher(read(file));
    while (block.find()) {
      if (block.group(1).equals("CERTIFICATE")) {
        certificates.add(certificate(file, decode(file, block.group(2))));
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no PEM certificate");
    }
    return List.copyOf(certificates);
  }

  /** The first private key in {@code file}: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted. */
  static PrivateKey privateKey(Path file) {
    Matcher block = BLOCK.matcher(read(file));
    while (block.find()) {
      String type = block.group(1);
      if (type.equals("ENCRYPTED PRIVATE KEY") || block.group(2).contains("Proc-Type:")) {
        throw new IllegalArgumentException(
            file
                + " holds an encrypted key; give it without a passphrase"
                + " (openssl pkey -in KEY -out PLAIN)");
      }
      UnaryOperator<byte[]> toPkcs8 =
          switch (type) {
            case "PRIVATE KEY" -> UnaryOperator.identity();
            case "RSA PRIVATE KEY" -> Pkcs8::fromPkcs1;
            case "EC PRIVATE KEY" -> Pkcs8::fromSec1;
            default -> null;
          };
      if (toPkcs8 != null) {
        try {
          return pkcs8(file, toPkcs8.apply(decode(file, block.group(2))));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
      }
    }
    throw new IllegalArgumentException(file + " holds no PEM private key");
  }

  private static PrivateKey pkcs8(Path file, byte[] pkcs8) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // Not this algorithm's key: try the next one.
      }
    }
    throw new IllegalArgumentException(
        file + " holds no readable " + String.join(", ", KEY_ALGORITHMS) + " private key");
  }

  private static X509Certificate certificate(Path file, byte[] der) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          file + " holds a broken certificate: " + e.getMessage(), e);
    }
  }

  private static byte[] decode(Path file, String base64) {
    try {
      return Base64.getMimeDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " holds broken base64: " + e.getMessage(), e);
    }
  }

  private static String read(Path file) {
    try {
      // Latin-1 decodes any bytes: a DER or binary file is then "no PEM ...", not a charset error.
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + " does not exist", e);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cannot read " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
    }
  }
}
