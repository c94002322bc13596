package io.stevedore.upstream;

import io.stevedore.config.UpstreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * Whom one upstream's TLS connections trust: the JDK's CAs (the default), those plus the
 * certificates of the upstream's {@code ca-file} (a registry behind a corporate CA), or, when it is
 * {@code insecure}, any certificate for any host name.
 */
final class TlsConfig {

  private static final Logger LOG = Logger.getLogger(TlsConfig.class.getName());

  private TlsConfig() {}

  /**
   * Sets {@code config}'s trust on {@code client}; leaves the JDK's defaults when it asks for none.
   *
   * @throws IllegalArgumentException when the CA file cannot be read or holds no certificate
   */
  static void apply(UpstreamConfig config, OkHttpClient.Builder client) {
    if (config.insecure()) {
      LOG.warning(
          () ->
              "upstream "
                  + config.name()
                  + " is insecure: its TLS certificates and host names are not verified");
      X509TrustManager anyone = new TrustAnyone();
      client.sslSocketFactory(socketFactory(anyone), anyone).hostnameVerifier((host, s) -> true);
    } else if (config.caFile().isPresent()) {
      X509TrustManager trust =
          new EitherTrustManager(
              trustManager(null), trustManager(caKeyStore(config.name(), config.caFile().get())));
      client.sslSocketFactory(socketFactory(trust), trust);
    }
  }

  /** Every certificate of a PEM file (a bundle may hold several) in a trust store of its own. */
  static KeyStore caKeyStore(String upstream, Path caFile) {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(caFile)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "upstream " + upstream + ": cannot read the certificates of ca-file " + caFile + ": " + e,
          e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          "upstream " + upstream + ": ca-file " + caFile + " holds no certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("an empty in-memory key store failed: " + e, e);
    }
  }

  /** The X509 trust manager over {@code store}; the JDK's default CAs when it is null. */
  static X509TrustManager trustManager(KeyStore store) {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the JDK's trust manager factory made no X509TrustManager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's trust manager factory failed: " + e, e);
    }
  }

  private static SSLSocketFactory socketFactory(X509TrustManager trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trust}, null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS context: " + e, e);
    }
  }

  /** The {@code insecure} setting's trust: none of a server's certificates is checked. */
  private static final class TrustAnyone implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
