package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class UpstreamErrorBodyTest {

  @Test
  void code_firstOciErrorCode() {
    assertThat(
            UpstreamErrorBody.code(
                "{\"errors\":[{\"code\": \"NAME_UNKNOWN\",\"message\":\"x\"},{\"code\":\"DENIED\"}]}"))
        .contains(ErrorCode.NAME_UNKNOWN);
  }

  @Test
  void code_unknownOrMissingCodeIsEmpty() {
    assertThat(UpstreamErrorBody.code("{\"errors\":[{\"code\":\"SOMETHING_NEW\"}]}")).isEmpty();
    assertThat(UpstreamErrorBody.code("<html>404 Not Found</html>")).isEmpty();
  }

  @Test
  void read_stopsAt64KiB() {
    CountingStream body = new CountingStream(new byte[10 * UpstreamErrorBody.MAX_BYTES]);

    assertThat(UpstreamErrorBody.read(body)).hasSize(UpstreamErrorBody.MAX_BYTES);
    assertThat(body.count).isEqualTo(UpstreamErrorBody.MAX_BYTES);
    assertThat(body.closed).isTrue();
  }

  private static final class CountingStream extends FilterInputStream {
    long count;
    boolean closed;

    CountingStream(byte[] content) {
      super(new ByteArrayInputStream(content));
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      count += Math.max(n, 0);
      return n;
    }

    @Override
    public void close() throws IOException {
      closed = true;
      super.close();
    }
  }
}
