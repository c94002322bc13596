package io.stevedore.oci;

import static io.stevedore.oci.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * RepositoryName.parse on any text: a name whose every path component matches the distribution
 * spec's component grammar and whose length is at most 255, or NAME_INVALID (400).
 */
class RepositoryNameFuzzTest {
  /** One path component as the distribution spec writes it. */
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*");

  @FuzzTest
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    RepositoryName name;
    try {
      name = RepositoryName.parse(text);
    } catch (RegistryException e) {
      assertRejected(e, ErrorCode.NAME_INVALID, 400);
      return;
    }
    assertThat(name.value()).isEqualTo(text).hasSizeLessThanOrEqualTo(255);
    for (String component : text.split("/", -1)) {
      assertThat(component).matches(COMPONENT);
    }
    assertThat(RepositoryName.parse(name.toString())).isEqualTo(name);
    assertThat(name.singleSegment()).isEqualTo(!text.contains("/"));
    try {
      RepositoryName library = name.withDockerHubLibrary();
      assertThat(library.value()).isEqualTo(name.singleSegment() ? "library/" + text : text);
    } catch (RegistryException e) {
      // Only the prefix can make a valid name invalid: by making it too long.
      assertRejected(e, ErrorCode.NAME_INVALID, 400);
      assertThat(("library/" + text).length()).isGreaterThan(255);
    }
  }
}
