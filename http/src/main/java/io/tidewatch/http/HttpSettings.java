package io.tidewatch.http;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/** The {@code tidewatch.http} block, read once. */
public record HttpSettings(String host, int port, Duration askTimeout) {

  public static HttpSettings create(ActorSystem<?> system) {
    Config http = system.settings().config().getConfig("tidewatch.http");
    return new HttpSettings(http.getString("interface"), http.getInt("port"), http.getDuration("ask-timeout"));
  }
}
