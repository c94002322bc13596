package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestTest {
  static final String CONFIG = "sha256:" + "c".repeat(64);
  static final String LAYER1 = "sha256:" + "1".repeat(64);
  static final String LAYER2 = "sha256:" + "2".repeat(64);
  static final String AMD64 = "sha256:" + "a".repeat(64);
  static final String ARM64 = "sha256:" + "b".repeat(64);
  static final String SUBJECT = "sha256:" + "5".repeat(64);

  static final String OCI_MANIFEST =
      """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
          "mediaType": "application/vnd.oci.image.config.v1+json",
          "digest": "%s",
          "size": 1472
        },
        "layers": [
          {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "%s",
            "size": 3623807
          },
          {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
            "digest": "%s",
            "size": 0
          }
        ],
        "annotations": { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" }
      }
      """
          .formatted(CONFIG, LAYER1, LAYER2);

  static final String DOCKER_MANIFEST =
      """
      {
         "schemaVersion": 2,
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": "%s"
         },
         "layers": [
            {
               "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
               "size": 32654,
               "digest": "%s"
            }
         ]
      }
      """
          .formatted(CONFIG, LAYER1);

  static final String OCI_INDEX =
      """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%s",
            "size": 1234,
            "platform": { "architecture": "amd64", "os": "linux" }
          },
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%s",
            "size": 1235,
            "platform": { "architecture": "arm64", "os": "linux", "variant": "v8" }
          },
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "%s",
            "size": 566,
            "annotations": { "vnd.docker.reference.type": "attestation-manifest" }
          }
        ]
      }
      """
          .formatted(AMD64, ARM64, SUBJECT);

  static final String DOCKER_MANIFEST_LIST =
      """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [
          {
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "size": 7143,
            "digest": "%s",
            "platform": { "architecture": "ppc64le", "os": "linux" }
          },
          {
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "size": 7682,
            "digest": "%s",
            "platform": {
              "architecture": "amd64",
              "os": "linux",
              "features": [ "sse4" ]
            }
          }
        ]
      }
      """
          .formatted(AMD64, ARM64);

  static final String SIGNATURE_WITH_SUBJECT =
      """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
        "config": {
          "mediaType": "application/vnd.oci.empty.v1+json",
          "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
          "size": 2
        },
        "layers": [],
        "subject": {
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "digest": "%s",
          "size": 1234
        }
      }
      """
          .formatted(SUBJECT);

  private static Manifest parse(String body, String contentType) {
    return Manifest.parse(body.getBytes(StandardCharsets.UTF_8), contentType);
  }

  private static List<String> digests(Manifest manifest) {
    return manifest.references().stream().map(d -> d.digest().toString()).toList();
  }

  @Test
  void parse_ociManifest_referencesConfigThenLayers() {
    Manifest manifest = parse(OCI_MANIFEST, MediaType.OCI_MANIFEST);

    assertThat(manifest.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
    assertThat(manifest.isIndex()).isFalse();
    assertThat(manifest.entries()).isEmpty();
    assertThat(manifest.references())
        .containsExactly(
            new Descriptor("application/vnd.oci.image.config.v1+json", Digest.parse(CONFIG), 1472),
            new Descriptor(
                "application/vnd.oci.image.layer.v1.tar+gzip", Digest.parse(LAYER1), 3623807),
            new Descriptor("application/vnd.oci.image.layer.v1.tar+zstd", Digest.parse(LAYER2), 0));
  }

  @Test
  void blobs_areConfigAndLayers_notTheSubject() {
    Manifest signature = parse(SIGNATURE_WITH_SUBJECT, MediaType.OCI_MANIFEST);

    assertThat(signature.references()).extracting(d -> d.digest().toString()).contains(SUBJECT);
    assertThat(signature.blobs())
        .extracting(d -> d.digest().toString())
        .containsExactly("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    assertThat(parse(OCI_MANIFEST, MediaType.OCI_MANIFEST).blobs())
        .extracting(d -> d.digest().toString())
        .containsExactly(CONFIG, LAYER1, LAYER2);
  }

  @Test
  void parse_dockerV2Manifest_referencesConfigThenLayers() {
    Manifest manifest = parse(DOCKER_MANIFEST, MediaType.DOCKER_MANIFEST);

    assertThat(manifest.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST);
    assertThat(manifest.isIndex()).isFalse();
    assertThat(digests(manifest)).containsExactly(CONFIG, LAYER1);
  }

  @Test
  void parse_ociIndex_listsEntriesWithTheirPlatforms() {
    Manifest manifest = parse(OCI_INDEX, MediaType.OCI_INDEX);

    assertThat(manifest.isIndex()).isTrue();
    assertThat(digests(manifest)).containsExactly(AMD64, ARM64, SUBJECT);
    assertThat(manifest.entries())
        .extracting(Manifest.Entry::platform)
        .containsExactly(
            Optional.of(new Manifest.Platform("linux", "amd64", Optional.empty())),
            Optional.of(new Manifest.Platform("linux", "arm64", Optional.of("v8"))),
            Optional.empty());
    assertThat(manifest.entries().get(1).platform().orElseThrow()).hasToString("linux/arm64/v8");
    assertThat(manifest.entries().get(0).descriptor().size()).isEqualTo(1234);
  }

  @Test
  void parse_dockerManifestList_isAnIndexWithPlatforms() {
    Manifest manifest = parse(DOCKER_MANIFEST_LIST, "application/json");

    assertThat(manifest.mediaType()).isEqualTo(MediaType.DOCKER_MANIFEST_LIST);
    assertThat(manifest.isIndex()).isTrue();
    assertThat(digests(manifest)).containsExactly(AMD64, ARM64);
    assertThat(manifest.entries())
        .extracting(e -> e.platform().orElseThrow().toString())
        .containsExactly("linux/ppc64le", "linux/amd64");
  }

  @Test
  void parse_manifestWithSubject_referencesTheSubjectLast() {
    Manifest manifest = parse(SIGNATURE_WITH_SUBJECT, MediaType.OCI_MANIFEST);

    assertThat(manifest.references()).hasSize(2);
    assertThat(manifest.references().getLast())
        .isEqualTo(new Descriptor(MediaType.OCI_MANIFEST, Digest.parse(SUBJECT), 1234));
  }

  @Test
  void parse_hugeSchemaVersion_isQuotedShortened() {
    // Found by fuzzing: the message quoted the whole value, as large as the manifest.
    String body = "{\"schemaVersion\":[" + "1,".repeat(100_000) + "1]}";

    assertThatThrownBy(() -> parse(body, MediaType.OCI_MANIFEST))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
              assertThat(e.getMessage())
                  .startsWith("invalid manifest: unsupported schemaVersion [1,1");
              assertThat(e.getMessage()).hasSizeLessThan(400);
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8"
            + " | application/vnd.docker.distribution.manifest.v2+json",
        "application/json | application/vnd.oci.image.manifest.v1+json",
        "null | application/vnd.oci.image.manifest.v1+json"
      })
  void parse_bodyWithoutMediaType_takesTheServedTypeOrTheShape(
      String contentType, String expected) {
    String body =
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"%s\",\"size\":1},\"layers\":[]}"
            .formatted(CONFIG);

    assertThat(parse(body, contentType).mediaType()).isEqualTo(expected);
  }

  @Test
  void parse_indexWithoutMediaType_isAnOciIndexByShape() {
    String body = "{\"schemaVersion\":2,\"manifests\":[]}";

    Manifest manifest = parse(body, "application/octet-stream");

    assertThat(manifest.mediaType()).isEqualTo(MediaType.OCI_INDEX);
    assertThat(manifest.references()).isEmpty();
  }

  @Test
  void parse_bodyMediaType_winsOverTheServedType() {
    assertThat(parse(OCI_INDEX, MediaType.DOCKER_MANIFEST).mediaType())
        .isEqualTo(MediaType.OCI_INDEX);
  }

  @Test
  void parse_schema1_isRejectedAsUnsupported() {
    String body =
        """
        {
          "schemaVersion": 1,
          "name": "library/hello-world",
          "tag": "latest",
          "architecture": "amd64",
          "fsLayers": [ { "blobSum": "%s" } ],
          "history": [ { "v1Compatibility": "{}" } ],
          "signatures": []
        }
        """
            .formatted(LAYER1);

    assertThatThrownBy(
            () -> parse(body, "application/vnd.docker.distribution.manifest.v1+prettyjws"))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
              assertThat(e).hasMessageContaining("schema 1").hasMessageContaining("unsupported");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "<html>rate limited</html>",
        "[]",
        "\"manifest\"",
        "{}",
        "{\"schemaVersion\":2}",
        "{\"schemaVersion\":3,\"manifests\":[]}",
        "{\"schemaVersion\":\"2\",\"manifests\":[]}",
        "{\"schemaVersion\":2.0,\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/json\",\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":7,\"manifests\":[]}",
        "{\"schemaVersion\":2,\"manifests\":{}}",
        "{\"schemaVersion\":2,\"manifests\":[1]}",
        "{\"schemaVersion\":2,\"manifests\":[],}",
        "{\"schemaVersion\":2,\"manifests\":[],\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"layers\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"layers\":[]}"
      })
  void parse_garbage_isManifestInvalid(String body) {
    assertThatThrownBy(() -> parse(body, MediaType.OCI_MANIFEST))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
              assertThat(e.status()).isEqualTo(400);
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"size\":1                                   | layers[0].digest is missing",
        "\"digest\":null,\"size\":1                   | layers[0].digest is missing",
        "\"digest\":\"sha256:abc\",\"size\":1         | layers[0].digest: not a digest",
        "\"digest\":\"%s\"                            | layers[0].size is missing",
        "\"digest\":\"%s\",\"size\":-1                | layers[0].size must be a non-negative",
        "\"digest\":\"%s\",\"size\":1.5               | layers[0].size must be a non-negative",
        "\"digest\":\"%s\",\"size\":\"1\"             | layers[0].size must be a non-negative",
        "\"digest\":\"%s\",\"size\":99999999999999999999 | layers[0].size must be a non-negative",
      })
  void parse_badLayerDescriptor_saysWhichFieldIsWrong(String fields, String message) {
    String layer = "{\"mediaType\":\"l\"," + fields.formatted(LAYER1) + "}";
    String body =
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"c\",\"digest\":\"%s\",\"size\":1},\"layers\":[%s]}"
            .formatted(CONFIG, layer);

    assertThatThrownBy(() -> parse(body, MediaType.OCI_MANIFEST))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining(message);
  }

  @Test
  void parse_indexEntryWithPlatformLackingOs_isManifestInvalid() {
    String body =
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"%s\",\"size\":1,\"platform\":{\"architecture\":\"amd64\"}}]}"
            .formatted(AMD64);

    assertThatThrownBy(() -> parse(body, MediaType.OCI_INDEX))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("manifests[0].platform.os is missing");
  }

  @Test
  void parse_invalidJson_keepsTheParserReason() {
    assertThatThrownBy(() -> parse("{\"schemaVersion\":2,", MediaType.OCI_INDEX))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("offset")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }
}
