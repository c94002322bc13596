package io.stevedore.observe;

/** Hears every answered request, after its body was sent. */
public interface RequestObserver {
  void answered(RequestRecord request);
}
