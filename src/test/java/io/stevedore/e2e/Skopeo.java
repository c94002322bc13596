package io.stevedore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs skopeo 1.9 as a real client, self-contained: its own signature policy, an empty
 * registries.conf (no search registries, so nothing can expand to a public host), its own
 * registries.d, auth file and temp dir under {@code workDir}. A fresh CI clone running as root
 * needs nothing from {@code /etc/containers}.
 *
 * <p>References are given without transport ({@code 127.0.0.1:5000/repo:tag}); only numeric
 * loopback hosts should be used, since skopeo falls back to the real host when a mirror fails.
 */
public final class Skopeo {
  /** Long enough for the 100 MB image on a slow CI disk; a hang still fails. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private static final Pattern DIGEST =
      Pattern.compile("\"digest\"\\s*:\\s*\"(sha256:[0-9a-f]{64})\"");

  /** Options for {@link #push}. */
  public enum CopyOption {
    /** {@code --format v2s2}: convert to Docker schema 2 on the way. */
    V2S2,
    /** {@code --all}: copy every platform of an index, not just the host's. */
    ALL,
    /** {@code --preserve-digests}: fail rather than convert a manifest (digests must match). */
    PRESERVE_DIGESTS
  }

  private final Path workDir;
  private final Path registriesConf;
  private final Optional<String> credentials;
  private final Duration timeout;
  private final Optional<Path> sourceCertDir;

  /** A skopeo whose configuration files live under {@code workDir} (created if missing). */
  public Skopeo(Path workDir) {
    this(
        workDir,
        workDir.resolve("registries.conf"),
        Optional.empty(),
        DEFAULT_TIMEOUT,
        Optional.empty());
    try {
      Files.createDirectories(workDir.resolve("tmp"));
      Files.createDirectories(workDir.resolve("registries.d"));
      Files.writeString(
          workDir.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
      // No unqualified-search registries: a short name must fail, never expand to docker.io.
      Files.writeString(registriesConf, "unqualified-search-registries = []\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Skopeo(
      Path workDir,
      Path registriesConf,
      Optional<String> credentials,
      Duration timeout,
      Optional<Path> sourceCertDir) {
    this.workDir = workDir;
    this.registriesConf = registriesConf;
    this.credentials = credentials;
    this.timeout = timeout;
    this.sourceCertDir = sourceCertDir;
  }

  /** The same skopeo, sending {@code user:password} to every registry it talks to. */
  public Skopeo withCredentials(String user, String password) {
    return new Skopeo(
        workDir, registriesConf, Optional.of(user + ":" + password), timeout, sourceCertDir);
  }

  /**
   * The same skopeo with a registries.conf of this content (for {@code [[registry.mirror]]} tests).
   * skopeo 1.9 ignores {@code CONTAINERS_REGISTRIES_CONF}, so it is passed as a flag.
   */
  public Skopeo withRegistriesConf(String toml) {
    try {
      Path file = Files.createTempFile(workDir, "registries-", ".conf");
      Files.writeString(file, toml);
      return new Skopeo(workDir, file, credentials, timeout, sourceCertDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A registries.conf that sends pulls of {@code registryHost/...} to {@code mirrorLocation}
   * (host:port, optionally with a path prefix such as {@code 127.0.0.1:5000/lab.example}) over
   * plain http. skopeo falls back to the primary location when the mirror fails, so the primary is
   * a closed loopback port: a fallback fails fast instead of resolving {@code registryHost}.
   */
  public static String mirrorRegistriesConf(String registryHost, String mirrorLocation) {
    return """
        unqualified-search-registries = []

        [[registry]]
        prefix = "%s"
        location = "127.0.0.1:%d"
        insecure = true

        [[registry.mirror]]
        location = "%s"
        insecure = true
        """
        .formatted(registryHost, FreePorts.freePort(), mirrorLocation);
  }

  public Skopeo withTimeout(Duration timeout) {
    return new Skopeo(workDir, registriesConf, credentials, timeout, sourceCertDir);
  }

  /**
   * The same skopeo, copying from an HTTPS source whose certificate it verifies against the {@code
   * *.crt} CA files in {@code certDir}, presenting a client certificate ({@code NAME.cert} with
   * {@code NAME.key}) if the directory holds one: {@code --src-cert-dir}, as containers/image reads
   * {@code /etc/containers/certs.d/HOST:PORT}.
   */
  public Skopeo withSourceCertDir(Path certDir) {
    return new Skopeo(workDir, registriesConf, credentials, timeout, Optional.of(certDir));
  }

  /** Pushes a layout image to {@code dockerRef} over plain http. */
  public void push(OciImage image, String dockerRef, CopyOption... options) {
    copy(image.ociReference(), docker(dockerRef), options);
  }

  /**
   * {@code skopeo copy SRC DST} between any two transports ({@code oci:}, {@code dir:}, {@code
   * docker://}); TLS verification is off on both sides (loopback, plain http), unless {@link
   * #withSourceCertDir} asked for it on the source.
   */
  public ExecResult copy(String source, String destination, CopyOption... options) {
    List<String> args = new ArrayList<>(List.of("copy", "--retry-times", "0"));
    if (sourceCertDir.isPresent()) {
      args.addAll(
          List.of("--src-tls-verify=true", "--src-cert-dir", sourceCertDir.get().toString()));
    } else {
      args.add("--src-tls-verify=false");
    }
    args.add("--dest-tls-verify=false");
    credentials.ifPresent(c -> args.addAll(List.of("--src-creds", c, "--dest-creds", c)));
    for (CopyOption option : options) {
      switch (option) {
        case V2S2 -> args.addAll(List.of("--format", "v2s2"));
        case ALL -> args.add("--all");
        case PRESERVE_DIGESTS -> args.add("--preserve-digests");
      }
    }
    args.add(source);
    args.add(destination);
    return run(args);
  }

  /**
   * Pulls {@code dockerRef} into a new OCI layout {@code dir} (tag {@code pulled}) without
   * converting anything, and returns the digest of the manifest or index it stored.
   */
  public String pullToOci(String dockerRef, Path dir, CopyOption... options) {
    List<CopyOption> all = new ArrayList<>(Arrays.asList(options));
    all.add(CopyOption.PRESERVE_DIGESTS);
    copy(
        docker(dockerRef),
        "oci:" + dir.toAbsolutePath() + ":pulled",
        all.toArray(new CopyOption[0]));
    return singleDigest(dir.resolve("index.json"));
  }

  /**
   * Pulls {@code dockerRef} into a {@code dir:} directory, which keeps the manifest bytes exactly
   * as served (also Docker schema 2), and returns their digest.
   */
  public String pullToDir(String dockerRef, Path dir, CopyOption... options) {
    copy(docker(dockerRef), "dir:" + dir.toAbsolutePath(), options);
    try {
      return sha256(Files.readAllBytes(dir.resolve("manifest.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code skopeo inspect --raw}: the manifest (or index) bytes exactly as the registry sent. */
  public byte[] inspectRaw(String dockerRef) {
    List<String> args = new ArrayList<>(List.of("inspect", "--raw", "--tls-verify=false"));
    credentials.ifPresent(c -> args.addAll(List.of("--creds", c)));
    args.add(docker(dockerRef));
    return run(args).stdoutBytes();
  }

  /** The digest of the manifest {@code dockerRef} resolves to (sha256 of the raw bytes). */
  public String manifestDigest(String dockerRef) {
    return sha256(inspectRaw(dockerRef));
  }

  /** Runs {@code skopeo GLOBAL-FLAGS args...}; fails with skopeo's output on a non-zero exit. */
  public ExecResult run(List<String> args) {
    return tryRun(args).requireSuccess();
  }

  /** Like {@link #run} but returns a failed result instead of throwing (for negative tests). */
  public ExecResult tryRun(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add("skopeo");
    command.addAll(
        List.of(
            "--policy", workDir.resolve("policy.json").toString(),
            "--registries-conf", registriesConf.toString(),
            "--registries.d", workDir.resolve("registries.d").toString(),
            "--tmpdir", workDir.resolve("tmp").toString(),
            "--command-timeout", timeout.toSeconds() + "s"));
    command.addAll(args);
    // A missing auth file means "no stored credentials", so the host's login state is ignored.
    Map<String, String> env = Map.of("REGISTRY_AUTH_FILE", workDir.resolve("auth.json").toString());
    return Exec.run(command, timeout.plusSeconds(30), env, workDir);
  }

  /** {@code sha256:<hex>} of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(OciImages.sha256().digest(bytes));
  }

  private static String docker(String ref) {
    return ref.contains("://") ? ref : "docker://" + ref;
  }

  private static String singleDigest(Path indexJson) {
    try {
      Matcher m = DIGEST.matcher(Files.readString(indexJson));
      List<String> digests = new ArrayList<>();
      while (m.find()) {
        digests.add(m.group(1));
      }
      if (digests.size() != 1) {
        throw new AssertionError("expected one manifest in " + indexJson + ", found " + digests);
      }
      return digests.getFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
