/**
 * End-to-end test harness: real registries and clients on 127.0.0.1, no mocks.
 *
 * <ul>
 *   <li>{@link io.stevedore.e2e.Lab}: what one test class works with (directory, registry, mirrors,
 *       clients), started on request and closed after the class; every IT gets its parts there.
 *   <li>{@link io.stevedore.e2e.RegistryProcess}: CNCF Distribution as the upstream; counts
 *       requests from its access log.
 *   <li>{@link io.stevedore.e2e.OciImages}: deterministic OCI layouts (3-layer, multi-arch index,
 *       100 MB layer), cached in {@code target/e2e-images}.
 *   <li>{@link io.stevedore.e2e.Skopeo}, {@link io.stevedore.e2e.Containerd}: the clients, each
 *       with private configuration.
 *   <li>{@link io.stevedore.e2e.StevedoreProcess}: the mirror jar as its own JVM.
 * </ul>
 *
 * <p>Rules every test keeps: bind and connect only to 127.0.0.1; never name a public registry
 * (docker.io, ghcr.io, ...) to a client, because skopeo, containerd and dockerd fall back to the
 * real host when a mirror fails; use names under {@code .example} (e.g. {@code lab.example}) as
 * registry hosts, mapped by hosts.toml / registries.conf / Stevedore aliases to loopback URLs. Wait
 * by polling with a deadline, never by sleeping a guessed time.
 */
package io.stevedore.e2e;
