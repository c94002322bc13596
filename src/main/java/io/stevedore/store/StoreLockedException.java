package io.stevedore.store;

/** The store is open in another process (a running server): use that process instead. */
public class StoreLockedException extends StoreException {
  public StoreLockedException(String message, Throwable cause) {
    super(message, cause);
  }
}
