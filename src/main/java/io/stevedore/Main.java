package io.stevedore;

public final class Main {
  public static void main(String[] args) {
    System.out.println(okhttp3.OkHttp.VERSION);
  }
}
