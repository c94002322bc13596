package io.stevedore.store;

/**
 * A tag of a repository at one upstream, as asked with one set of accepted manifest types: what a
 * tag resolves to depends on the Accept header (an index for clients that take one, a single
 * manifest for clients that do not), so each set keeps its own entry.
 *
 * @param accept the accepted manifest types in a canonical order, empty when all of them
 */
public record TagKey(String upstream, String repository, String tag, String accept) {}
