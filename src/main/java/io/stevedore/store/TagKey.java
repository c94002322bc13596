package io.stevedore.store;

/** A tag of a repository at one upstream. */
public record TagKey(String upstream, String repository, String tag) {}
