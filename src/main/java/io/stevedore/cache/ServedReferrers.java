package io.stevedore.cache;

/**
 * A referrers index to send to a client.
 *
 * @param filtered whether it lists only the asked artifactType (the client is told so)
 * @param stale whether the upstream could not be asked and this is the last known answer
 */
public record ServedReferrers(byte[] body, boolean filtered, boolean stale) {}
