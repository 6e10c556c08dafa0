package io.tidewatch.deploy;

import java.nio.file.Path;

/**
 * A parent JVM for {@link ChildProcessIT}: starts a Kafka broker in {@code args[0]} on free ports, prints
 * {@code BROKER_PID=<pid>} and waits to be killed.
 */
public final class KafkaParentMain {

  public static void main(String[] args) throws InterruptedException {
    var ports = LocalInfra.Ports.free();
    var broker = new KafkaLauncher(Path.of(args[0]), ports.kafka(), ports.kafkaController()).start();
    System.out.println("BROKER_PID=" + broker.pid());
    System.out.flush();
    Thread.currentThread().join();
  }
}
