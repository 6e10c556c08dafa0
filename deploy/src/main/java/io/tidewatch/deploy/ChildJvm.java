package io.tidewatch.deploy;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child JVM run under {@link ParentWatchdog} (or another program, {@link #startProcess}): launches it with its
 * output appended to a log file, waits until it is ready, and stops it (SIGTERM, then SIGKILL after a bounded
 * wait), also from a shutdown hook of this JVM.
 */
final class ChildJvm {

  /** A readiness check; an exception counts as "not ready yet". */
  @FunctionalInterface
  interface Probe {
    boolean ready() throws Exception;
  }

  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);
  private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);
  private static final Duration GATE_WAIT = Duration.ofSeconds(30);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  private static final int TAIL_LINES = 40;
  /** util-linux setsid: runs the child in its own session, so a Ctrl-C in the terminal reaches only this JVM. */
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Thread shutdownHook;
  private volatile CompletionStage<?> stopGate = CompletableFuture.completedFuture(null);
  private boolean stopped;

  private ChildJvm(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.shutdownHook = new Thread(this::terminateAfterGate, "tidewatch-stop-" + name);
  }

  /**
   * Starts {@code mainClass} in a new JVM on {@code runtimeLib}'s jars, wrapped by {@link ParentWatchdog}. Its
   * stdin stays an open pipe that is never written: closing it (or dying) is how this JVM tells the child to exit.
   */
  static ChildJvm start(String name, Path java, List<String> jvmArgs, Path runtimeLib, String mainClass,
      List<String> args, Path logFile) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", classpath(runtimeLib), ParentWatchdog.class.getName(), mainClass));
    command.addAll(args);
    return startProcess(name, command, logFile);
  }

  /**
   * Starts any program the same way (own session, output appended to {@code logFile}, stopped from a shutdown hook
   * of this JVM); without {@link ParentWatchdog}, a program that is no JVM outlives a parent that is killed.
   */
  static ChildJvm startProcess(String name, List<String> program, Path logFile) {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      command.add(SETSID.toString()); // execs in place (no fork): the pid stays the program's
    }
    command.addAll(program);
    try {
      Files.createDirectories(logFile.getParent());
      Files.writeString(logFile, "=== " + Instant.now() + " starting " + name + ": " + String.join(" ", command) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
      ChildJvm child = new ChildJvm(name, process, logFile);
      Runtime.getRuntime().addShutdownHook(child.shutdownHook);
      log.info("Started {} (pid {}), log {}", name, process.pid(), logFile);
      return child;
    } catch (IOException e) {
      throw new LaunchException("Could not launch " + name + " with " + program.get(0) + ": " + e.getMessage(), e);
    }
  }

  /** Fails before launching if something already listens on {@code port} of 127.0.0.1. */
  static void requireFreePort(int port, String role) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(LOOPBACK, port));
    } catch (IOException e) {
      throw new LaunchException(role + " port " + port + " on 127.0.0.1 is already in use (" + e.getMessage()
          + "). Stop whatever listens there (another Tidewatch infra or demo?) or choose other ports.");
    }
  }

  /** True once something accepts TCP connections on {@code port} of 127.0.0.1. */
  static boolean acceptsConnections(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** This module's own classes (a jar or target/classes) ahead of the runtime's jars. */
  private static String classpath(Path runtimeLib) {
    try {
      Path self = Path.of(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return self + File.pathSeparator + runtimeLib.resolve("*");
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot locate the classes of " + ParentWatchdog.class, e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** Polls {@code probe} until it answers true; fails at once if the child exits, or when {@code timeout} passes. */
  void awaitReady(Duration timeout, Probe probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception lastFailure = null; // a probe that always fails the same way (a broken config) says why in the end
    while (true) {
      if (!process.isAlive()) {
        throw new LaunchException(name + " exited with code " + process.exitValue() + " before it was ready. "
            + describeLog());
      }
      try {
        if (probe.ready()) {
          return;
        }
      } catch (Exception e) {
        lastFailure = e;
        log.debug("{} not ready yet: {}", name, e.toString());
      }
      if (System.nanoTime() > deadline) {
        String why = lastFailure == null ? "" : " The last readiness check failed with: " + lastFailure + ".";
        throw new LaunchException(
            name + " was not ready within " + timeout.toSeconds() + " s." + why + " " + describeLog(), lastFailure);
      }
      try {
        process.waitFor(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LaunchException("Interrupted while waiting for " + name, e);
      }
    }
  }

  /** Waits for a short-lived child (a tool) to finish; fails with its log if it fails or overruns. */
  void awaitSuccess(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop();
        throw new LaunchException(name + " did not finish within " + timeout.toSeconds() + " s. " + describeLog());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new LaunchException("Interrupted while waiting for " + name, e);
    }
    unregisterHook();
    if (process.exitValue() != 0) {
      throw new LaunchException(name + " failed with exit code " + process.exitValue() + ". " + describeLog());
    }
  }

  /**
   * When this JVM shuts down, wait for {@code gate} (at most {@link #GATE_WAIT}) before stopping the child, so
   * that the application using it can finish first (drain, commit) while the broker is still there.
   */
  void stopOnShutdownAfter(CompletionStage<?> gate) {
    this.stopGate = gate;
  }

  private void terminateAfterGate() {
    try {
      stopGate.toCompletableFuture().get(GATE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("Stopping {} although what it serves has not finished within {} s", name, GATE_WAIT.toSeconds());
    } catch (ExecutionException e) {
      log.debug("What {} serves ended with a failure: {}", name, e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    terminate();
  }

  /** Stops the child: SIGTERM so its shutdown hooks run, SIGKILL if it has not exited within a minute. */
  void stop() {
    unregisterHook();
    terminate();
  }

  private synchronized void terminate() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (!process.isAlive()) {
      return;
    }
    long start = System.nanoTime();
    process.destroy();
    try {
      if (!process.waitFor(GRACEFUL_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} (pid {}) did not stop within {} s, killing it", name, process.pid(), GRACEFUL_STOP.toSeconds());
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    // Exit code 143 (128 + SIGTERM) or 0 are both a clean stop: destroy() also closes the child's stdin, so the
    // watchdog's System.exit(0) races the signal handler; whichever wins, the shutdown hooks run once.
    log.info("Stopped {} (pid {}) in {} ms, exit code {}", name, process.pid(),
        Duration.ofNanos(System.nanoTime() - start).toMillis(), process.isAlive() ? "none" : process.exitValue());
  }

  private void unregisterHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // This JVM is already shutting down; the hook is running or has run.
    }
  }

  private String describeLog() {
    return "Last lines of " + logFile + ":\n" + String.join("\n", tail());
  }

  private List<String> tail() {
    try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
      long length = file.length();
      int size = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[size];
      file.seek(length - size);
      file.readFully(bytes);
      List<String> lines = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n"));
      return lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
    } catch (IOException e) {
      return List.of("(log unreadable: " + e.getMessage() + ")");
    }
  }
}
