package io.stevedore.config;

/** A username and password for an upstream. {@link #toString()} never shows the password. */
public record Credentials(String username, String password) {
  public static final Credentials NONE = new Credentials("", "");

  public boolean present() {
    return !username.isEmpty();
  }

  @Override
  public String toString() {
    return present() ? "Credentials[username=" + username + ", password=****]" : "Credentials[]";
  }
}
