package io.stevedore.upstream;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/** Tells an {@link UpstreamListener} of each request to one upstream and its answer. */
final class ListeningInterceptor implements Interceptor {
  private final String upstream;
  private final UpstreamListener listener;

  ListeningInterceptor(String upstream, UpstreamListener listener) {
    this.upstream = upstream;
    this.listener = listener;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    String method = chain.request().method();
    Response response;
    try {
      response = chain.proceed(chain.request());
    } catch (IOException | RuntimeException e) {
      listener.unanswered(upstream, method);
      throw e;
    }
    // A HEAD answer announces the length of a body it does not send.
    long bytes = method.equals("HEAD") ? 0 : response.body().contentLength();
    listener.answered(upstream, method, response.code(), bytes);
    return response;
  }
}
