package io.stevedore.store;

/** The store could not read or write: a broken or full disk, or a closed store. */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
