package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeardownTest {
  private final List<String> closed = new ArrayList<>();

  @Test
  void closesLastAddedFirst() throws Exception {
    Teardown teardown = new Teardown();
    teardown.add(recorder("directory"));
    teardown.add(recorder("registry"));
    teardown.add(recorder("mirror"));

    teardown.close();

    assertThat(closed).containsExactly("mirror", "registry", "directory");
  }

  @Test
  void aFailedCloseDoesNotStopTheRest_andEveryFailureIsReported() {
    Teardown teardown = new Teardown();
    teardown.add(recorder("directory"));
    teardown.add(failing("registry", new IOException("registry stuck")));
    teardown.add(recorder("containerd"));
    teardown.add(failing("mirror", new AssertionError("mirror stuck")));

    assertThatThrownBy(teardown::close)
        .isInstanceOf(AssertionError.class)
        .hasMessage("mirror stuck")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .satisfies(s -> assertThat(s).hasMessage("registry stuck")));
    assertThat(closed).containsExactly("mirror", "containerd", "registry", "directory");
  }

  private AutoCloseable recorder(String name) {
    return () -> closed.add(name);
  }

  private AutoCloseable failing(String name, Throwable failure) {
    return () -> {
      closed.add(name);
      if (failure instanceof Exception e) {
        throw e;
      }
      throw (Error) failure;
    };
  }
}
