package io.stevedore.cache;

import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.Manifest;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.LinkStore;
import io.stevedore.store.StoreException;
import io.stevedore.store.StoredManifest;
import io.stevedore.upstream.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Repository isolation: content is stored once per digest, but a repository sees only what is
 * linked to it — what the upstream sent for it, what its manifests reference, or what the upstream
 * confirmed it has. Otherwise a mirror would hand out a private repository's layers to anyone who
 * knows their digests.
 */
final class RepositoryLinks {
  private static final Logger LOG = Logger.getLogger(RepositoryLinks.class.getName());
  private final LinkStore links;

  RepositoryLinks(LinkStore links) {
    this.links = links;
  }

  boolean linked(Upstream upstream, RepositoryName repository, Digest digest) {
    return links.contains(upstream.config().name(), repository.value(), digest);
  }

  /**
   * Links one digest. Best effort: a store that refuses writes (a full disk) costs an upstream
   * confirmation next time, not this request.
   */
  void link(Upstream upstream, RepositoryName repository, Digest digest) {
    try {
      links.add(upstream.config().name(), repository.value(), List.of(digest));
    } catch (StoreException e) {
      LOG.warning(() -> "link not recorded: " + e.getMessage());
    }
  }

  /** Links a manifest and everything it references (config, layers, child manifests, subject). */
  void linkManifest(Upstream upstream, RepositoryName repository, StoredManifest manifest) {
    List<Digest> digests = new ArrayList<>();
    digests.add(manifest.digest());
    references(manifest).forEach(d -> digests.add(d.digest()));
    links.add(upstream.config().name(), repository.value(), digests);
  }

  /**
   * Links a manifest that a parent linked to the repository, once: its own references are not
   * linked yet when the parent (an index) was.
   */
  void linkReferencesOnce(Upstream upstream, RepositoryName repository, StoredManifest manifest) {
    List<Descriptor> references = references(manifest);
    if (!references.isEmpty() && !linked(upstream, repository, references.get(0).digest())) {
      linkManifest(upstream, repository, manifest);
    }
  }

  /**
   * Makes sure {@code repository} may see {@code digest}: linked already, or the upstream's {@code
   * has} check confirms it (then it is linked).
   *
   * @param has asks the upstream whether the repository has the digest
   * @throws RegistryException {@code unknown} when the upstream denies it or cannot be asked
   */
  void confirm(
      Upstream upstream,
      RepositoryName repository,
      Digest digest,
      BooleanSupplier has,
      Supplier<RegistryException> unknown) {
    if (linked(upstream, repository, digest)) {
      return;
    }
    boolean confirmed;
    try {
      confirmed = has.getAsBoolean();
    } catch (RegistryException e) {
      if (!e.temporary()) {
        throw e;
      }
      RegistryException notConfirmed = unknown.get();
      throw new RegistryException(
          notConfirmed.code(),
          notConfirmed.status(),
          notConfirmed.getMessage()
              + " in "
              + repository
              + " (upstream "
              + upstream.config().name()
              + " could not confirm it: "
              + e.getMessage()
              + ")");
    }
    if (!confirmed) {
      throw unknown.get();
    }
    link(upstream, repository, digest);
  }

  private static List<Descriptor> references(StoredManifest manifest) {
    try {
      return Manifest.parse(manifest.body(), manifest.mediaType()).references();
    } catch (RegistryException notAnImageManifest) {
      // Artifacts and unknown manifest kinds reference nothing we can tell: link just the
      // manifest itself.
      return List.of();
    }
  }
}
