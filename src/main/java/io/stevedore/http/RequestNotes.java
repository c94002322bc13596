package io.stevedore.http;

import io.stevedore.cache.CacheResult;
import java.util.Optional;

/**
 * What a handler learned about its request that the access log and metrics want: what kind of
 * request it was, where it was routed, how the cache answered, whether a peer sent it. {@link
 * ObservingFilter} binds one to each request's thread (a request runs on one virtual thread, filter
 * and handler alike); handlers fill it in. A scoped value, not Helidon's request context:
 * registering in that context cost a cached tag request a tenth of its rate (wrk, alternated A/B).
 */
final class RequestNotes {
  static final ScopedValue<RequestNotes> CURRENT = ScopedValue.newInstance();

  private String route;
  private String upstream = "";
  private String cache = "";
  private Optional<String> peerUpstream = Optional.empty();

  RequestNotes(String route) {
    this.route = route;
  }

  /** The notes of the request this thread serves; a detached one when nothing observes it. */
  static RequestNotes current() {
    return CURRENT.isBound() ? CURRENT.get() : new RequestNotes("other");
  }

  void route(String kind) {
    this.route = kind;
  }

  void upstream(String name) {
    this.upstream = name;
  }

  void cache(CacheResult result) {
    this.cache = result.label();
  }

  /** The request is an internal hop from a peer, proven, for the upstream named {@code name}. */
  void peer(String name) {
    this.peerUpstream = Optional.of(name);
  }

  String route() {
    return route;
  }

  String upstream() {
    return upstream;
  }

  String cache() {
    return cache;
  }

  /** The upstream a proven internal hop is for; empty for a client's request. */
  Optional<String> peerUpstream() {
    return peerUpstream;
  }
}
