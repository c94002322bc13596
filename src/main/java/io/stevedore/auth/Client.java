package io.stevedore.auth;

/**
 * Who a request is from: an htpasswd user, or anonymous. The name is safe to log; nothing else
 * about the credentials is kept.
 *
 * @param user the user name; empty for anonymous
 */
public record Client(String user) {
  public static final Client ANONYMOUS = new Client("");

  public Client {
    if (user == null) {
      throw new IllegalArgumentException("a client's user is empty for anonymous, never null");
    }
  }

  public boolean anonymous() {
    return user.isEmpty();
  }

  @Override
  public String toString() {
    return anonymous() ? "anonymous" : user;
  }
}
