package io.stevedore.upstream;

import java.util.Optional;

/**
 * One page of an upstream's tag list.
 *
 * @param body the JSON body, untouched
 * @param nextLast the {@code last} parameter of the upstream's {@code Link: <...>; rel="next"}, if
 *     there is a next page
 * @param nextN the {@code n} parameter of that link, if it had one
 */
public record TagList(byte[] body, Optional<String> nextLast, Optional<Integer> nextN) {}
