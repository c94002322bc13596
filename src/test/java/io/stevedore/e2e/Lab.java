package io.stevedore.e2e;

import io.stevedore.e2e.Skopeo.CopyOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lab one e2e test class works in: a directory, the upstream registry, the mirrors and the
 * clients it asks for, all closed together (last started, first closed) after the class. Register
 * it with {@code @RegisterExtension static final Lab lab = new Lab();}; it is ready in the class's
 * {@code @BeforeAll}.
 *
 * <p>The registry, skopeo and containerd start on first use, so a class pays only for what it asks
 * for.
 */
final class Lab implements BeforeAllCallback, AfterAllCallback {
  private Path root;
  private Teardown teardown;
  private RegistryProcess registry;
  private Skopeo skopeo;
  private Containerd containerd;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    teardown = new Teardown();
    root = Files.createTempDirectory("e2e-" + context.getRequiredTestClass().getSimpleName() + "-");
    Path created = root;
    AutoCloseable deleteDirectory = () -> OciImages.deleteTree(created);
    teardown.add(deleteDirectory);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      teardown.close();
    } finally {
      root = null;
      registry = null;
      skopeo = null;
      containerd = null;
    }
  }

  /** {@code name} in the lab's directory (not created): a place for a process or a pull. */
  synchronized Path path(String name) {
    if (root == null) {
      throw new IllegalStateException("a Lab works between @BeforeAll and @AfterAll only");
    }
    return root.resolve(name);
  }

  /** Closes {@code resource} with the lab, before everything the lab started earlier. */
  synchronized <T extends AutoCloseable> T own(T resource) {
    return teardown.add(resource);
  }

  /** The anonymous upstream registry most tests need. */
  synchronized RegistryProcess registry() {
    if (registry == null) {
      registry = registry("registry");
    }
    return registry;
  }

  /** One more anonymous registry, for tests with several upstreams. */
  RegistryProcess registry(String name) {
    return own(RegistryProcess.start(directory(name)));
  }

  /** A registry behind HTTP Basic auth; {@link #push} sends it these credentials. */
  RegistryProcess registry(String name, String username, String password) {
    return own(RegistryProcess.startWithBasicAuth(directory(name), username, password));
  }

  /** Pushes {@code image} to {@link #registry()} as {@code repoTag}. */
  void push(OciImage image, String repoTag, CopyOption... options) {
    push(registry(), image, repoTag, options);
  }

  /** Pushes {@code image} to {@code target} as {@code repoTag}, logged in if it demands it. */
  void push(RegistryProcess target, OciImage image, String repoTag, CopyOption... options) {
    Skopeo client =
        target.username().isPresent()
            ? skopeo().withCredentials(target.username().get(), target.password().orElseThrow())
            : skopeo();
    client.push(image, target.hostPort() + "/" + repoTag, options);
  }

  /** {@link #registry()} as the mirror's default upstream, named {@code lab}. */
  MirrorUpstream upstream() {
    return MirrorUpstream.of("lab", registry().url()).asDefault();
  }

  /** A running mirror in front of {@link #registry()}, with nothing else configured. */
  StevedoreProcess mirror() {
    return mirror("stevedore", config -> config.upstream(upstream()));
  }

  /**
   * A running mirror whose config, data and log live in {@code path(name)}; {@code config} adds its
   * upstreams and whatever else the test needs.
   */
  StevedoreProcess mirror(String name, UnaryOperator<StevedoreProcess.Builder> config) {
    return own(config.apply(StevedoreProcess.builder(path(name))).start());
  }

  /** A skopeo with its own configuration in the lab, sharing nothing with the host's. */
  synchronized Skopeo skopeo() {
    if (skopeo == null) {
      skopeo = new Skopeo(path("skopeo"));
    }
    return skopeo;
  }

  /** A private containerd (root only, see {@link Containerd#canRun()}). */
  synchronized Containerd containerd() {
    if (containerd == null) {
      containerd = own(Containerd.start(path("containerd")));
    }
    return containerd;
  }

  /**
   * Writes a hosts.toml that sends containerd's pulls of {@code registryHost} to {@code mirror}
   * only: its server is a closed port, so nothing but the mirror can answer. Returns the hosts
   * directory, shared by every host the class configures.
   */
  Path hostsDir(String registryHost, URI mirror) {
    Path hosts = path("hosts");
    Containerd.writeHostsToml(hosts, registryHost, FreePorts.closedUrl(), mirror);
    return hosts;
  }

  private Path directory(String name) {
    try {
      return Files.createDirectories(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
