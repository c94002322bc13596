package io.stevedore.config;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The little of ASN.1 DER that re-wrapping a private key needs: walking the elements of a structure
 * and encoding new ones. Reads fail with {@link IllegalArgumentException} on truncated or oversized
 * input, never with an index out of bounds.
 */
final class Der {
  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int SEQUENCE = 0x30;

  private Der() {}

  /** One element: tag, length and content encoded, with {@code content} as its content. */
  static byte[] element(int tag, byte[]... content) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] part : content) {
      body.writeBytes(part);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = body.size();
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  /** The tag of the element at {@code at}. */
  static int tag(byte[] der, int at) {
    check(der, at);
    return der[at] & 0xff;
  }

  /** Where the content of the element at {@code at} starts. */
  static int contentStart(byte[] der, int at) {
    check(der, at + 1);
    int first = der[at + 1] & 0xff;
    return first < 0x80 ? at + 2 : at + 2 + (first & 0x7f);
  }

  /** Where the element after the one at {@code at} starts (its end). */
  static int next(byte[] der, int at) {
    check(der, at + 1);
    int first = der[at + 1] & 0xff;
    long length = first;
    if (first >= 0x80) {
      int bytes = first & 0x7f;
      if (bytes > 3) {
        throw new IllegalArgumentException("a DER length of " + bytes + " bytes is too long");
      }
      length = 0;
      for (int i = 0; i < bytes; i++) {
        check(der, at + 2 + i);
        length = (length << 8) | (der[at + 2 + i] & 0xff);
      }
    }
    long end = contentStart(der, at) + length;
    if (end > der.length) {
      throw new IllegalArgumentException("a DER element runs past the end of its input");
    }
    return (int) end;
  }

  /** The whole element (tag, length, content) at {@code at}. */
  static byte[] elementAt(byte[] der, int at) {
    return Arrays.copyOfRange(der, at, next(der, at));
  }

  private static void check(byte[] der, int index) {
    if (index >= der.length) {
      throw new IllegalArgumentException("the DER input ends too early");
    }
  }
}
