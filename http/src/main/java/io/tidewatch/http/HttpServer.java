package io.tidewatch.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the API; a node that cannot bind terminates rather than run deaf. */
public final class HttpServer {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
  private static final Duration UNBIND_DEADLINE = Duration.ofSeconds(10);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(Route route, HttpSettings settings, ActorSystem<?> system) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(route)
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            log.error("Cannot bind HTTP on {}:{}, terminating", settings.host(), settings.port(), failure);
            system.terminate();
          } else {
            InetSocketAddress address = binding.localAddress();
            log.info("HTTP API on http://{}:{}/", address.getHostString(), address.getPort());
            binding.addToCoordinatedShutdown(UNBIND_DEADLINE, system);
          }
        });
  }
}
