package io.tidewatch.http;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The {@code tidewatch.http} block, read once.
 *
 * @param alertLookback how far back each poll of the live alert stream looks for alerts that reached the read side
 *     late
 */
public record HttpSettings(
    String host,
    int port,
    Duration askTimeout,
    long maxBodyBytes,
    Duration livePollInterval,
    Duration heartbeat,
    Duration alertLookback) {

  public static HttpSettings create(ActorSystem<?> system) {
    Config http = system.settings().config().getConfig("tidewatch.http");
    return new HttpSettings(
        http.getString("interface"),
        http.getInt("port"),
        http.getDuration("ask-timeout"),
        http.getBytes("max-body-size"),
        http.getDuration("live.poll-interval"),
        http.getDuration("live.heartbeat"),
        http.getDuration("live.alert-lookback"));
  }
}
