package io.tidewatch.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 that are free now, for tests. They are picked below Linux's ephemeral range (32768+), so
 * the outgoing connections made between picking a port and binding it cannot take it.
 */
public final class FreePorts {

  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;

  private FreePorts() {}

  public static synchronized int next() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      if (isFree(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1 between " + LOW + " and " + HIGH);
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(ChildJvm.LOOPBACK, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
