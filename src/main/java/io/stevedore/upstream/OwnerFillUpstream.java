package io.stevedore.upstream;

import io.stevedore.oci.Digest;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Owner fill: content addressed by digest (blobs, manifests by digest) is fetched from the digest's
 * owner in the cluster when that is another node, so the owner's single flight makes the whole
 * cluster fetch it from the upstream once. Availability comes first: when the owner is down,
 * refuses or is slow, the content comes from the upstream as on a node of its own. The caller
 * verifies and resumes as it does with any upstream; a resume asks the owner again. Tags, HEADs,
 * referrers and tag lists go to the upstream: they are per node.
 */
final class OwnerFillUpstream extends ForwardingUpstream {
  private static final Logger LOG = Logger.getLogger(OwnerFillUpstream.class.getName());

  private final Peers peers;
  private final PeerClient owners;
  private final ClusterListener listener;

  OwnerFillUpstream(Upstream delegate, Peers peers, PeerClient owners, ClusterListener listener) {
    super(delegate);
    this.peers = peers;
    this.owners = owners;
    this.listener = listener;
  }

  /** What an internal hop is served from: the upstream itself, never another owner. */
  @Override
  public Upstream direct() {
    return delegate;
  }

  @Override
  public BlobStream fetchBlob(RepositoryName repository, Digest digest, long offset) {
    Optional<URI> owner = peers.ownerOf(digest);
    if (owner.isPresent()) {
      try {
        return answered(
            owner.get(), "blob", () -> owners.fetchBlob(owner.get(), repository, digest, offset));
      } catch (PeerFailure e) {
        fellBack(owner.get(), e, "blob " + digest);
      }
    }
    return delegate.fetchBlob(repository, digest, offset);
  }

  @Override
  public FetchedManifest fetchManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    if (reference instanceof Reference.ByDigest(Digest digest)) {
      Optional<URI> owner = peers.ownerOf(digest);
      if (owner.isPresent()) {
        try {
          return answered(
              owner.get(),
              "manifest",
              () -> owners.fetchManifest(owner.get(), repository, digest, accept));
        } catch (PeerFailure e) {
          fellBack(owner.get(), e, "manifest " + digest);
        }
      }
    }
    return delegate.fetchManifest(repository, reference, accept);
  }

  private interface Hop<T> {
    T call() throws PeerFailure;
  }

  /** The owner's answer; its not-found is an answer too (the upstream's, through the owner). */
  private <T> T answered(URI owner, String kind, Hop<T> hop) throws PeerFailure {
    try {
      T result = hop.call();
      peers.answered(owner);
      listener.fetchedFromPeer(owner.toString(), kind);
      return result;
    } catch (RegistryException notFound) {
      peers.answered(owner);
      throw notFound;
    }
  }

  private void fellBack(URI owner, PeerFailure failure, String what) {
    peers.failed(owner);
    listener.fellBack(owner.toString(), failure.reason());
    LOG.warning(
        () -> "fetching " + what + " from upstream " + name() + " itself: " + failure.getMessage());
  }

  private String name() {
    return delegate.config().name();
  }
}
