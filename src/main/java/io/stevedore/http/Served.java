package io.stevedore.http;

import io.stevedore.auth.ClientAuth;
import io.stevedore.cache.Cache;
import io.stevedore.observe.Health;
import io.stevedore.observe.Metrics;
import io.stevedore.observe.RequestObserver;
import io.stevedore.observe.Status;
import io.stevedore.ops.Operator;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.upstream.PeerHop;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * What the server serves: the registry API over the router and the cache, the operator's chores,
 * metrics, health and the status page; who hears every request (the access log, metrics, the status
 * page); which clients may pull what; and how a peer's internal hop is proven.
 */
public record Served(
    UpstreamRouter router,
    Cache cache,
    Operator operator,
    Metrics metrics,
    Health health,
    Status status,
    List<RequestObserver> observers,
    ClientAuth auth,
    Optional<PeerHop> peerHop,
    Clock clock) {}
