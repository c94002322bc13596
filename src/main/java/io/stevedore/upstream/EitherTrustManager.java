package io.stevedore.upstream;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.stream.Stream;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a peer when either of two trust managers does: the JDK's default CAs or an upstream's
 * extra CAs. Adding the extra CAs must not cost the public ones, because a registry behind a
 * corporate CA may still redirect blobs to a CDN with a public certificate.
 */
final class EitherTrustManager implements X509TrustManager {

  private final X509TrustManager first;
  private final X509TrustManager second;

  EitherTrustManager(X509TrustManager first, X509TrustManager second) {
    this.first = first;
    this.second = second;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    either(manager -> manager.checkServerTrusted(chain, authType));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    either(manager -> manager.checkClientTrusted(chain, authType));
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return Stream.of(first.getAcceptedIssuers(), second.getAcceptedIssuers())
        .flatMap(Stream::of)
        .toArray(X509Certificate[]::new);
  }

  private void either(Check check) throws CertificateException {
    try {
      check.by(first);
    } catch (CertificateException firstRefusal) {
      try {
        check.by(second);
      } catch (CertificateException secondRefusal) {
        firstRefusal.addSuppressed(secondRefusal);
        throw firstRefusal;
      }
    }
  }

  private interface Check {
    void by(X509TrustManager manager) throws CertificateException;
  }
}
