package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorBodyTest {
  @Test
  void json_hasTheSpecShape() {
    String body = ErrorBody.json(RegistryException.manifestUnknown("latest"));

    assertThat(body)
        .isEqualTo(
            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown: latest\"}]}");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "tag \"latest\" not found",
        "back\\slash",
        "two\nlines\r\n",
        "control \u0000\u0001\u001b\u007f",
        "tab\tand form\f",
        "unicode é 😀 \u2028",
        "{\"errors\":[]}"
      })
  void json_escapesTheMessageSoItParsesBack(String message) {
    String body = ErrorBody.json(new RegistryException(ErrorCode.DENIED, message));

    assertThat(body).doesNotContain("\n", "\r", "\u0000", "\u001b", "\u2028");
    Object parsed = Json.parse(body.getBytes(StandardCharsets.UTF_8));
    assertThat(parsed)
        .isEqualTo(Map.of("errors", List.of(Map.of("code", "DENIED", "message", message))));
  }

  @Test
  void json_withUnpairedSurrogate_stillParsesBack() {
    String body = ErrorBody.json(new RegistryException(ErrorCode.DENIED, "bad \ud83d name"));

    assertThat(Json.parse(body.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(
            Map.of("errors", List.of(Map.of("code", "DENIED", "message", "bad \uFFFD name"))));
  }

  @Test
  void json_withoutMessage_namesTheCodeInWords() {
    String body = ErrorBody.json(new RegistryException(ErrorCode.TOOMANYREQUESTS, 429, null));

    assertThat(Json.parse(body))
        .isEqualTo(
            Map.of(
                "errors",
                List.of(Map.of("code", "TOOMANYREQUESTS", "message", "toomanyrequests"))));
  }

  @Test
  void json_ofAnUnknownBlob_isBlobUnknown() {
    Digest digest = Digest.parse("sha256:" + DigestTest.HEX64);

    assertThat(ErrorBody.json(RegistryException.blobUnknown(digest)))
        .contains("\"code\":\"BLOB_UNKNOWN\"")
        .contains(digest.toString());
  }
}
