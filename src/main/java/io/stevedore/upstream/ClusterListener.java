package io.stevedore.upstream;

/**
 * Hears how a cluster node got content from the owners of digests, and served its peers as one: how
 * metrics count peer fetches, fallbacks and owner hits without the request path knowing them.
 */
public interface ClusterListener {
  ClusterListener NONE = new ClusterListener() {};

  /** The owner {@code peer} answered a hop for content of {@code kind} (blob or manifest). */
  default void fetchedFromPeer(String peer, String kind) {}

  /**
   * The owner {@code peer} could not serve, so this node went to the upstream itself.
   *
   * @param reason unreachable, timeout, refused or error
   */
  default void fellBack(String peer, String reason) {}

  /**
   * This node, as the owner, answers a peer's internal hop for content of {@code kind}.
   *
   * @param result how its cache answered: hit, miss or joined
   */
  default void servedAsOwner(String kind, String result) {}
}
