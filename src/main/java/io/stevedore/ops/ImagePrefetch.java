package io.stevedore.ops;

import io.stevedore.oci.RegistryException;
import io.stevedore.route.ImageReference;
import io.stevedore.route.UpstreamRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Prefetches images named as users write them, routed as requests are ({@code ghcr.io/org/app} goes
 * to the upstream with that alias, {@code team/app} to the default), one after another, reporting
 * each failure and going on with the rest.
 */
final class ImagePrefetch {
  private final UpstreamRouter router;
  private final Prefetcher prefetcher;

  ImagePrefetch(UpstreamRouter router, Prefetcher prefetcher) {
    this.router = router;
    this.prefetcher = prefetcher;
  }

  /** Prefetches every image; returns the ones that failed, each with why. */
  List<String> prefetch(List<String> images, Set<String> platforms, Consumer<String> progress) {
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      String image = images.get(i);
      progress.accept("[" + (i + 1) + "/" + images.size() + "] " + image);
      try {
        ImageReference reference = ImageReference.parse(image);
        UpstreamRouter.Route route =
            router.route(Optional.empty(), Optional.empty(), reference.name());
        prefetcher.prefetch(
            route.upstream(),
            route.repository(),
            reference.reference(),
            image,
            platforms,
            progress);
      } catch (RegistryException | IllegalStateException | java.io.UncheckedIOException e) {
        failed.add(image + ": " + e.getMessage());
        progress.accept("FAILED " + image + ": " + e.getMessage());
      }
    }
    progress.accept(
        "prefetched " + (images.size() - failed.size()) + " of " + images.size() + " images");
    failed.forEach(line -> progress.accept("failed: " + line));
    return failed;
  }
}
