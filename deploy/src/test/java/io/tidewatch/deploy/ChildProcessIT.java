package io.tidewatch.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessIT {

  @TempDir Path dataDir;

  @Test
  void brokerExitsWhenItsParentIsKilled() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process parent = new ProcessBuilder(List.of(java.toString(),
        "-Dtidewatch.home=" + RuntimeLocator.home(),
        "-cp", System.getProperty("java.class.path"),
        KafkaParentMain.class.getName(), dataDir.toString()))
        .redirectErrorStream(true)
        .start();
    Optional<ProcessHandle> broker = Optional.empty();
    try {
      long pid = readBrokerPid(parent).get(90, TimeUnit.SECONDS);
      broker = ProcessHandle.of(pid);
      assertTrue(broker.isPresent() && broker.get().isAlive(), "broker runs while its parent lives");

      parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      assertTrue(broker.get().onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).join() != null,
          "broker pid " + pid + " still runs 30 s after its parent was killed");
    } finally {
      parent.destroyForcibly();
      broker.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void startFailsFastNamingThePortWhenItIsTaken() throws Exception {
    var ports = LocalInfra.Ports.free();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(ChildJvm.LOOPBACK, ports.kafka()));

      var launcher = new KafkaLauncher(dataDir, ports.kafka(), ports.kafkaController());
      LaunchException e = assertThrows(LaunchException.class, launcher::start);

      assertTrue(e.getMessage().contains("port " + ports.kafka()), e.getMessage());
      assertTrue(e.getMessage().contains("already in use"), e.getMessage());
      assertFalse(Files.exists(dataDir.resolve("kafka.log")), "no broker was launched");
    }
  }

  /** Reads the parent's output until it prints the broker's pid (its log lines come first). */
  private static CompletableFuture<Long> readBrokerPid(Process parent) {
    return CompletableFuture.supplyAsync(() -> {
      try (var reader = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
        StringBuilder seen = new StringBuilder();
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (line.startsWith("BROKER_PID=")) {
            return Long.parseLong(line.substring("BROKER_PID=".length()));
          }
          seen.append(line).append('\n');
        }
        return fail("parent exited without starting a broker:\n" + seen);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
