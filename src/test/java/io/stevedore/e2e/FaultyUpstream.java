package io.stevedore.e2e;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP proxy on 127.0.0.1 in front of a real registry that answers faithfully until told to
 * break one request: {@link #inject} queues {@link Fault}s for the next GETs whose path contains a
 * given part (a digest), one fault per request. Every connection carries one request ({@code
 * Connection: close}), so a fault never spills into the next request.
 *
 * <p>Like Docker Hub it can demand Bearer tokens from its own {@code /token} endpoint ({@link
 * #requireTokens}) and forget them ({@link #expireTokens}), and answer blob GETs with a 307 to a
 * second listener, the blob host (a CDN), which serves the bytes without asking for any token.
 * Every request is {@link #seen recorded}: the count of upstream requests a test asserts on.
 */
final class FaultyUpstream implements AutoCloseable {
  /** Which of the two listeners a request reached. */
  enum Face {
    REGISTRY,
    BLOB_HOST
  }

  /**
   * One request as the proxy saw it.
   *
   * @param authorization the {@code Authorization} header it came with, or null
   * @param status what the proxy answered (the registry's status, or the fault's)
   * @param fault the fault done to it, or null
   */
  record Seen(
      Face face,
      String method,
      String target,
      String authorization,
      int status,
      Fault fault,
      Instant at) {}

  private static final Pattern REPOSITORY =
      Pattern.compile("/v2/(.+)/(?:manifests|blobs|tags|referrers)/.*");
  private static final String SERVICE = "faulty-upstream";
  private static final int PIECE = 64 * 1024;

  private final InetSocketAddress registry;
  private final LoopbackListener front;
  private final LoopbackListener blobHost;
  private final Map<Face, Map<String, Deque<Fault>>> faults =
      Map.of(Face.REGISTRY, new ConcurrentHashMap<>(), Face.BLOB_HOST, new ConcurrentHashMap<>());
  private final Set<String> redirected = ConcurrentHashMap.newKeySet();
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final AtomicInteger issued = new AtomicInteger();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile boolean tokensRequired;

  FaultyUpstream(URI registry) throws IOException {
    this.registry = new InetSocketAddress(registry.getHost(), registry.getPort());
    this.front = new LoopbackListener("faulty-registry", s -> serve(Face.REGISTRY, s));
    this.blobHost = new LoopbackListener("faulty-blob-host", s -> serve(Face.BLOB_HOST, s));
  }

  /** The registry's face: the URL the mirror is configured with. */
  URI url() {
    return front.url();
  }

  /** From now on every {@code /v2/} request needs a Bearer token from {@code /token}. */
  void requireTokens() {
    tokensRequired = true;
  }

  /** Every token issued so far stops being accepted, as when they expire early. */
  void expireTokens() {
    tokens.clear();
  }

  int tokensIssued() {
    return issued.get();
  }

  /** GETs of blobs whose path contains {@code part} are redirected to the blob host. */
  void redirectBlobs(String part) {
    redirected.add(part);
  }

  /** Queues {@code queued} for the next GETs at {@code face} whose path contains {@code part}. */
  void inject(Face face, String part, Fault... queued) {
    Deque<Fault> queue = faults.get(face).computeIfAbsent(part, p -> new ConcurrentLinkedDeque<>());
    queue.addAll(List.of(queued));
  }

  /** Faults queued and not yet done, at both faces. */
  List<Fault> pending() {
    return faults.values().stream()
        .map(Map::values)
        .flatMap(Collection::stream)
        .flatMap(Collection::stream)
        .toList();
  }

  /** The requests, at either face, whose target contains {@code part}. */
  List<Seen> seen(String part) {
    return seen.stream().filter(s -> s.target().contains(part)).toList();
  }

  private void serve(Face face, Socket client) {
    try (client) {
      // A guard, not a wait: no proxy thread outlives a test whose mirror went quiet.
      client.setSoTimeout(60_000);
      Optional<HttpHead> request = HttpHead.read(new BufferedInputStream(client.getInputStream()));
      if (request.isPresent()) {
        answer(face, request.get(), client);
      }
    } catch (IOException e) {
      // the mirror went away, or a fault broke the connection on purpose
    }
  }

  private void answer(Face face, HttpHead request, Socket client) throws IOException {
    String[] line = request.startLine().split(" ");
    String method = line[0];
    String target = line[1];
    String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
    String authorization = request.header("Authorization");
    OutputStream out = client.getOutputStream();
    if (face == Face.REGISTRY && path.equals("/token")) {
      String token = "token-" + issued.incrementAndGet();
      tokens.add(token);
      record(face, method, target, authorization, 200, null);
      send(out, HttpHead.response(200), "{\"token\":\"" + token + "\",\"expires_in\":300}");
      return;
    }
    if (face == Face.REGISTRY && tokensRequired && !bearerAccepted(authorization)) {
      record(face, method, target, authorization, 401, null);
      send(
          out,
          HttpHead.response(401).with("WWW-Authenticate", challenge(path)),
          error("UNAUTHORIZED", "a valid token is required"));
      return;
    }
    Queued queued = method.equals("GET") ? next(face, path) : null;
    Fault fault = queued == null ? null : queued.fault();
    if (fault != null && fault.kind() == Fault.Kind.STATUS) {
      record(face, method, target, authorization, fault.status(), fault);
      HttpHead head = HttpHead.response(fault.status());
      for (Map.Entry<String, String> header : fault.headers().entrySet()) {
        head = head.with(header.getKey(), header.getValue());
      }
      send(out, head, error(fault.status() == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE", "fault"));
      fault.then().run();
      return;
    }
    if (face == Face.REGISTRY
        && method.equals("GET")
        && path.contains("/blobs/")
        && redirected.stream().anyMatch(path::contains)) {
      if (queued != null) {
        queued.putBack(); // body faults of a redirected blob belong at the blob host
      }
      record(face, method, target, authorization, 307, null);
      send(out, HttpHead.response(307).with("Location", blobHost.url() + path + "?cdn=1"), "");
      return;
    }
    forward(face, request, method, target, authorization, queued, client);
  }

  /** A fault taken from its queue, which it goes back to when the answer does not suit it. */
  private record Queued(Deque<Fault> queue, Fault fault) {
    void putBack() {
      queue.addFirst(fault);
    }
  }

  private Queued next(Face face, String path) {
    for (Map.Entry<String, Deque<Fault>> queue : faults.get(face).entrySet()) {
      if (path.contains(queue.getKey())) {
        Fault fault = queue.getValue().pollFirst();
        if (fault != null) {
          return new Queued(queue.getValue(), fault);
        }
      }
    }
    return null;
  }

  private void forward(
      Face face,
      HttpHead request,
      String method,
      String target,
      String authorization,
      Queued queued,
      Socket client)
      throws IOException {
    Fault fault = queued == null ? null : queued.fault();
    try (Socket upstream = new Socket()) {
      upstream.connect(registry, 5_000);
      upstream.setSoTimeout(60_000);
      HttpHead forwarded =
          request
              .without("Keep-Alive")
              .with("Host", registry.getHostString() + ":" + registry.getPort())
              .with("Connection", "close");
      upstream.getOutputStream().write(forwarded.bytes());
      InputStream answer = new BufferedInputStream(upstream.getInputStream());
      HttpHead response =
          HttpHead.read(answer).orElseThrow(() -> new EOFException("the registry said nothing"));
      int status = response.status();
      long length = response.contentLength();
      boolean faulty =
          fault != null
              && (status == 200 || status == 206)
              && length >= 0
              && !method.equals("HEAD");
      record(face, method, target, authorization, status, faulty ? fault : null);
      HttpHead head = response.with("Connection", "close");
      OutputStream out = client.getOutputStream();
      if (!faulty) {
        if (queued != null) {
          queued.putBack(); // an answer without a body to break: the fault waits for the next
        }
        out.write(head.bytes());
        answer.transferTo(out);
        return;
      }
      sendFaulty(fault, head, answer, length, client);
      fault.then().run();
    }
  }

  private void sendFaulty(Fault fault, HttpHead head, InputStream body, long length, Socket client)
      throws IOException {
    OutputStream out = client.getOutputStream();
    long at = fault.at();
    switch (fault.kind()) {
      case RESET -> {
        out.write(head.bytes());
        copy(body, out, at);
        out.flush();
        client.setSoLinger(true, 0); // close() now sends RST
      }
      case STALL -> {
        out.write(head.bytes());
        copy(body, out, at);
        out.flush();
        // Silence until the mirror's read timeout makes it close its end.
        client.getInputStream().transferTo(OutputStream.nullOutputStream());
      }
      case TRUNCATE -> {
        out.write(head.bytes());
        copy(body, out, at);
      }
      case DRIP -> {
        out.write(head.bytes());
        out.flush();
        Pace pace = new Pace(at, 0);
        byte[] piece = new byte[256];
        for (long sent = 0; sent < length; ) {
          int n = (int) Math.min(piece.length, length - sent);
          body.readNBytes(piece, 0, n);
          out.write(piece, 0, n);
          out.flush();
          sent += n;
          pace.after(sent);
        }
      }
      case CORRUPT -> {
        out.write(head.bytes());
        copy(body, out, at);
        out.write(~body.read());
        copy(body, out, length - at - 1);
      }
      case EXTEND -> {
        out.write(head.with("Content-Length", String.valueOf(length + at)).bytes());
        copy(body, out, length);
        out.write(new byte[(int) at]);
      }
      case EXTEND_CHUNKED -> {
        out.write(head.without("Content-Length").with("Transfer-Encoding", "chunked").bytes());
        byte[] all = body.readNBytes((int) length);
        writeChunk(out, all);
        writeChunk(out, new byte[(int) at]);
        writeChunk(out, new byte[0]);
      }
      case STATUS -> throw new IllegalStateException("answered before forwarding");
    }
    out.flush();
  }

  private static void writeChunk(OutputStream out, byte[] data) throws IOException {
    out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(data);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** Copies exactly {@code count} bytes. */
  private static void copy(InputStream in, OutputStream out, long count) throws IOException {
    byte[] buffer = new byte[PIECE];
    for (long left = count; left > 0; ) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new EOFException("the registry's body ended " + left + " bytes early");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  private boolean bearerAccepted(String authorization) {
    return authorization != null
        && authorization.startsWith("Bearer ")
        && tokens.contains(authorization.substring("Bearer ".length()));
  }

  private String challenge(String path) {
    StringBuilder challenge =
        new StringBuilder("Bearer realm=\"" + front.url() + "/token\",service=\"" + SERVICE + "\"");
    Matcher repository = REPOSITORY.matcher(path);
    if (repository.matches()) {
      challenge.append(",scope=\"repository:").append(repository.group(1)).append(":pull\"");
    }
    return challenge.toString();
  }

  private static String error(String code, String message) {
    return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}";
  }

  private static void send(OutputStream out, HttpHead head, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpHead full =
        head.with("Content-Type", "application/json")
            .with("Content-Length", String.valueOf(bytes.length))
            .with("Connection", "close");
    out.write(full.bytes());
    out.write(bytes);
    out.flush();
  }

  private void record(
      Face face, String method, String target, String authorization, int status, Fault fault) {
    seen.add(new Seen(face, method, target, authorization, status, fault, Instant.now()));
  }

  @Override
  public void close() throws IOException {
    try (LoopbackListener registryFace = front;
        LoopbackListener blobHostFace = blobHost) {
      // both closed, the blob host first
    }
  }
}
