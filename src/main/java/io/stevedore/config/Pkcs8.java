package io.stevedore.config;

import java.util.HexFormat;

/**
 * Re-wraps OpenSSL's two traditional key encodings, PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and
 * SEC1 EC ({@code BEGIN EC PRIVATE KEY}), as PKCS#8: the one encoding the JDK's {@code KeyFactory}
 * reads. The key bytes are not changed, only put into the envelope that names their algorithm.
 */
final class Pkcs8 {
  private static final byte[] VERSION_0 = {Der.INTEGER, 1, 0};
  // AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
  private static final byte[] RSA_ALGORITHM =
      HexFormat.of().parseHex("300d06092a864886f70d0101010500");
  // id-ecPublicKey (1.2.840.10045.2.1); the curve follows it in the AlgorithmIdentifier.
  private static final byte[] EC_PUBLIC_KEY = HexFormat.of().parseHex("06072a8648ce3d0201");
  private static final int EC_PARAMETERS = 0xa0;

  private Pkcs8() {}

  static byte[] fromPkcs1(byte[] rsaPrivateKey) {
    return Der.element(
        Der.SEQUENCE, VERSION_0, RSA_ALGORITHM, Der.element(Der.OCTET_STRING, rsaPrivateKey));
  }

  /**
   * @throws IllegalArgumentException when the key is malformed or does not name its curve (PKCS#8
   *     needs the curve beside the key; OpenSSL always writes it)
   */
  static byte[] fromSec1(byte[] ecPrivateKey) {
    byte[] algorithm = Der.element(Der.SEQUENCE, EC_PUBLIC_KEY, namedCurve(ecPrivateKey));
    return Der.element(
        Der.SEQUENCE, VERSION_0, algorithm, Der.element(Der.OCTET_STRING, ecPrivateKey));
  }

  /**
   * The curve's OID element from {@code ECPrivateKey ::= SEQUENCE {version, key, [0] curve, ...}}.
   */
  private static byte[] namedCurve(byte[] ecPrivateKey) {
    int version = Der.contentStart(ecPrivateKey, 0);
    int key = Der.next(ecPrivateKey, version);
    int parameters = Der.next(ecPrivateKey, key);
    if (parameters >= ecPrivateKey.length || Der.tag(ecPrivateKey, parameters) != EC_PARAMETERS) {
      throw new IllegalArgumentException("the EC key does not name its curve");
    }
    return Der.elementAt(ecPrivateKey, Der.contentStart(ecPrivateKey, parameters));
  }
}
