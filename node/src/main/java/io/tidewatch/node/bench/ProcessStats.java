package io.tidewatch.node.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and peak resident memory of a process, read from Linux's /proc. */
final class ProcessStats {

  /** Clock ticks per second of /proc/[pid]/stat; 100 on every Linux this runs on. */
  private static final long TICKS_PER_SECOND = 100;

  private ProcessStats() {}

  /** User + system CPU milliseconds the process has used so far. */
  static long cpuMillis(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    // Fields after the command name (which may hold spaces) start after the last ')'.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  /** Peak resident set size (VmHWM) in KiB. */
  static long peakRssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmHWM in /proc/" + pid + "/status");
  }
}
