package io.tidewatch.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of every child JVM that Tidewatch launches: ties the child's life to its parent's.
 *
 * <p>Usage: {@code java -cp <deploy classes>:<runtime lib>/* io.tidewatch.deploy.ParentWatchdog <mainClass> args...}.
 * The parent starts the child with stdin as a pipe it never writes to and never closes. When the parent dies, even
 * by SIGKILL, the kernel closes that pipe, this watchdog reads end-of-file and calls {@code System.exit(0)}, so the
 * broker's own shutdown hooks run (Cassandra drains, Kafka shuts down cleanly) and no orphan keeps the ports.
 *
 * <p>Uses only the JDK: it runs on the broker's classpath, which has neither Tidewatch's dependencies nor a logger
 * we control. Running it by hand needs an open stdin (a terminal); {@code < /dev/null} would stop it at once.
 */
public final class ParentWatchdog {

  private ParentWatchdog() {}

  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      System.err.println("usage: ParentWatchdog <mainClass> [args...]");
      System.exit(2);
    }
    Thread watcher = new Thread(ParentWatchdog::exitWhenParentGone, "tidewatch-parent-watchdog");
    watcher.setDaemon(true);
    watcher.start();

    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void exitWhenParentGone() {
    byte[] buffer = new byte[256];
    try (InputStream in = System.in) {
      while (in.read(buffer) >= 0) {
        // The parent never writes; anything read is ignored.
      }
    } catch (IOException e) {
      // A broken pipe means the same as end-of-file: the parent is gone.
    }
    System.err.println("tidewatch: parent process gone (stdin closed), shutting down");
    System.exit(0);
  }
}
