package io.stevedore.auth;

import io.stevedore.config.AuthConfig;
import io.stevedore.config.AuthMode;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Client authentication and access rules, free of HTTP: who an {@code Authorization} header says
 * the client is, whether that client may pull a repository of an upstream, and tokens for the token
 * flow. Build it once per server with {@link #create}; {@link #OFF} lets everyone in.
 *
 * <p>Error messages say what was wrong with the credentials, never what they were.
 */
public final class ClientAuth {
  private static final Logger LOG = Logger.getLogger(ClientAuth.class.getName());

  /** No authentication: every request is granted. */
  public static final ClientAuth OFF = new ClientAuth(AuthMode.NONE, null, null, null, null);

  private final AuthMode mode;
  private final Passwords passwords;
  private final TokenSigner tokens;
  private final AccessRules rules;
  private final URI tokenRealm;

  private ClientAuth(
      AuthMode mode, Passwords passwords, TokenSigner tokens, AccessRules rules, URI tokenRealm) {
    this.mode = mode;
    this.passwords = passwords;
    this.tokens = tokens;
    this.rules = rules;
    this.tokenRealm = tokenRealm;
  }

  /**
   * Reads the htpasswd file (and the token key file) that {@code config} names.
   *
   * @throws IllegalStateException when a file cannot be read or used; the message names the key
   *     and, for the htpasswd file, the line
   */
  public static ClientAuth create(AuthConfig config, Clock clock) {
    if (config.mode() == AuthMode.NONE) {
      return OFF;
    }
    HtpasswdFile users = new HtpasswdFile(config.htpasswdFile().orElseThrow(), clock);
    HmacSha256 key = config.tokenKeyFile().map(ClientAuth::readKey).orElseGet(HmacSha256::random);
    ClientAuth auth =
        new ClientAuth(
            config.mode(),
            new Passwords(users, clock),
            new TokenSigner(key, config.tokenTtl(), clock),
            new AccessRules(config.rules()),
            config.tokenRealm().orElse(null));
    LOG.info(
        () ->
            "client authentication: "
                + config.mode().name().toLowerCase(Locale.ROOT)
                + ", "
                + users.users().size()
                + " users in "
                + config.htpasswdFile().orElseThrow()
                + ", "
                + config.rules().size()
                + " access rules");
    return auth;
  }

  private static HmacSha256 readKey(Path file) {
    byte[] key;
    try {
      key = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException("auth.token-key-file: cannot read " + file + ": " + e, e);
    }
    if (key.length < HmacSha256.KEY_BYTES) {
      throw new IllegalStateException(
          "auth.token-key-file: "
              + file
              + " holds "
              + key.length
              + " bytes, at least "
              + HmacSha256.KEY_BYTES
              + " are needed (head -c 32 /dev/urandom > "
              + file
              + ")");
    }
    return new HmacSha256(key);
  }

  public AuthMode mode() {
    return mode;
  }

  /** The token URL to name in challenges, when configured rather than taken from the request. */
  public Optional<URI> tokenRealm() {
    return Optional.ofNullable(tokenRealm);
  }

  /**
   * The client an {@code Authorization} header value names: a user for right Basic credentials
   * (and, in token mode, for a valid token), anonymous for a valid anonymous token. Empty when the
   * request carried no credentials (also a Basic header with neither user nor password, which is
   * what some clients send when they have none).
   *
   * @throws RegistryException UNAUTHORIZED (401) for credentials that are wrong, expired or of
   *     another scheme
   */
  public Optional<Client> authenticate(Optional<String> authorization) {
    if (mode == AuthMode.NONE || authorization.isEmpty()) {
      return Optional.empty();
    }
    String value = authorization.get().strip();
    if (mode == AuthMode.TOKEN && hasScheme(value, "Bearer")) {
      return Optional.of(
          tokens
              .verify(value.substring("Bearer".length()).strip())
              .orElseThrow(() -> unauthorized("the token is invalid or expired")));
    }
    return basic(value);
  }

  /**
   * What {@code client} (empty: no credentials) gets for a repository of {@code upstream}.
   * Anonymous clients that are refused are challenged, since credentials might be let in.
   */
  public Access access(Optional<Client> client, String upstream, RepositoryName repository) {
    if (mode == AuthMode.NONE) {
      return Access.GRANTED;
    }
    Client who = client.orElse(Client.ANONYMOUS);
    if (rules.permits(who, upstream, repository)) {
      return Access.GRANTED;
    }
    return who.anonymous() ? Access.CHALLENGE : Access.DENIED;
  }

  /**
   * A token for the client an {@code Authorization} header names: the user of right Basic
   * credentials, or anonymous without any when some rule lets anonymous clients pull.
   *
   * @throws RegistryException UNAUTHORIZED (401) for wrong credentials, or none where anonymous
   *     clients may pull nothing
   */
  public IssuedToken issueToken(Optional<String> authorization) {
    if (mode != AuthMode.TOKEN) {
      throw new IllegalStateException("tokens are issued in token mode only");
    }
    Optional<Client> client =
        authorization.isEmpty() ? Optional.empty() : basic(authorization.get().strip());
    if (client.isEmpty() && !rules.anonymousAllowed()) {
      throw unauthorized("credentials are required");
    }
    return tokens.issue(client.orElse(Client.ANONYMOUS));
  }

  private Optional<Client> basic(String value) {
    if (!hasScheme(value, "Basic")) {
      String expected = mode == AuthMode.TOKEN ? "Basic or Bearer" : "Basic";
      throw unauthorized("credentials must be " + expected);
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(value.substring("Basic".length()).strip()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw unauthorized("the Basic credentials are not base64");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw unauthorized("the Basic credentials are not user:password");
    }
    String user = decoded.substring(0, colon);
    String password = decoded.substring(colon + 1);
    if (user.isEmpty() && password.isEmpty()) {
      return Optional.empty();
    }
    if (!passwords.matches(user, password)) {
      throw unauthorized("wrong user name or password");
    }
    return Optional.of(new Client(user));
  }

  private static boolean hasScheme(String value, String scheme) {
    return value.regionMatches(true, 0, scheme, 0, scheme.length())
        && (value.length() == scheme.length() || value.charAt(scheme.length()) == ' ');
  }

  private static RegistryException unauthorized(String why) {
    return new RegistryException(ErrorCode.UNAUTHORIZED, 401, "authentication required: " + why);
  }
}
