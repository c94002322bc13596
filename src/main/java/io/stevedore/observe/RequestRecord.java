package io.stevedore.observe;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * One request as it was answered: what the access log writes and metrics count.
 *
 * @param route what kind of request it was (manifest, blob, tags, referrers, base, admin, ...): a
 *     small fixed set, so it can be a metric label
 * @param path the request path, without the query (which may carry anything)
 * @param ns the {@code ns} query parameter (containerd's registry host), empty when absent
 * @param bytes the bytes of the body sent
 * @param cache hit, miss, joined or stale for content the cache answered; empty otherwise
 * @param upstream the upstream the request was routed to; empty when it was not routed
 * @param peer whether a peer node sent it, as an internal hop to the owner of a digest
 * @param client the client's address, formatted only by whoever shows it
 */
public record RequestRecord(
    Instant time,
    String method,
    String route,
    String path,
    String ns,
    int status,
    long bytes,
    long durationNanos,
    String cache,
    String upstream,
    boolean peer,
    Optional<InetAddress> client) {}
