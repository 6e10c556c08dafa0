package io.tidewatch.node.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewatch.node.cli.ApiClient;
import io.tidewatch.node.cli.ApiException;
import io.tidewatch.node.cli.ApiOptions;
import io.tidewatch.node.cli.EventSummary;
import io.tidewatch.node.cli.StateSummary;
import io.tidewatch.node.cli.Table;
import io.tidewatch.node.cli.Times;
import io.tidewatch.protocol.Identifiers;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tidewatch replay}: an entity's journal, oldest first, or its state rebuilt as of a time, from a node's
 * audit API (DESIGN §4). Exit code 0, 1 when the API fails, 2 for a usage error.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Audit replay: an entity's journal, or its state as of a time, to stdout.")
public final class ReplayCommand implements Callable<Integer> {

  enum Format { NDJSON, TABLE }

  private static final Pattern ENTITY = Pattern.compile("(" + Identifiers.NAME_REGEX + ")/(" + Identifiers.ENTITY_ID_REGEX + ")");
  private static final int PROGRESS_EVERY = 10_000;
  private static final int[] WIDTHS = {8, 24, 17};

  @Mixin
  ApiOptions api;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "TYPE/ID", description = "The entity, e.g. sensor/sensor-00042.")
  String entity;

  @Option(names = "--from-seq", paramLabel = "N", description = "First sequence number to print (default: the first).")
  Long fromSeq;

  @Option(names = "--to-seq", paramLabel = "M", description = "Last sequence number to print (default: the last).")
  Long toSeq;

  @Option(names = "--as-of", paramLabel = "T", description = "Print the state as it was at T (ISO-8601 such as 2026-11-21T12:00:00Z, or epoch ms) instead of the journal.")
  String asOf;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "ndjson", description = "ndjson (as the API sends it) or table (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  public Integer call() {
    Matcher typeAndId = ENTITY.matcher(entity);
    if (!typeAndId.matches()) {
      throw usage("TYPE/ID must be an entity type, a slash and an id of " + Identifiers.ENTITY_ID_RULE + ", "
          + "e.g. sensor/sensor-00042; got '" + entity + "'");
    }
    String path = "/entities/" + ApiClient.segment(typeAndId.group(1)) + "/" + ApiClient.segment(typeAndId.group(2));
    Long asOfMs = asOfMs();
    checkSeqRange();
    ApiClient client = api.client();
    try {
      if (asOfMs != null) {
        printState(client.get(path + "/state?asOf=" + asOfMs));
      } else {
        printJournal(client, path + "/journal" + seqQuery());
      }
      return 0;
    } catch (ApiException e) {
      spec.commandLine().getErr().println("tidewatch replay: " + e.getMessage());
      return 1;
    }
  }

  private Long asOfMs() {
    if (asOf == null) {
      return null;
    }
    if (toSeq != null || fromSeq != null) {
      throw usage("--as-of rebuilds the state from the whole journal up to T; it cannot be combined with "
          + (toSeq != null ? "--to-seq" : "--from-seq") + " (leave out --as-of to print a range of the journal)");
    }
    try {
      return Times.parse(asOf);
    } catch (IllegalArgumentException e) {
      throw usage("--as-of: " + e.getMessage());
    }
  }

  private void checkSeqRange() {
    if ((fromSeq != null && fromSeq < 0) || (toSeq != null && toSeq < 0)) {
      throw usage("--from-seq and --to-seq are sequence numbers: whole numbers of 0 or more");
    }
    if (fromSeq != null && toSeq != null && fromSeq > toSeq) {
      throw usage("--from-seq " + fromSeq + " is after --to-seq " + toSeq + ": the range is empty");
    }
  }

  private String seqQuery() {
    String from = fromSeq == null ? "" : "fromSeq=" + fromSeq;
    String to = toSeq == null ? "" : "toSeq=" + toSeq;
    String query = from.isEmpty() || to.isEmpty() ? from + to : from + "&" + to;
    return query.isEmpty() ? "" : "?" + query;
  }

  private void printState(JsonNode state) {
    PrintWriter out = spec.commandLine().getOut();
    out.print(format == Format.TABLE ? StateSummary.of(state) : state + "\n");
    out.flush();
  }

  private void printJournal(ApiClient client, String path) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long events = 0;
    try (Stream<String> lines = client.lines(path)) {
      if (format == Format.TABLE) {
        out.println(Table.line(WIDTHS, "SEQNR", "TIME", "TYPE", "SUMMARY"));
      }
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.isBlank()) {
          continue;
        }
        // write, not println: println flushes every line, which a journal of millions cannot afford.
        out.write(format == Format.TABLE ? row(client.parse(line)) : line);
        out.write('\n');
        if (++events % PROGRESS_EVERY == 0) {
          out.flush();
          if (stdoutClosed(out)) {
            break;
          }
          // Ends in \r, not starts: on a terminal shared with stdout the next row overwrites it.
          err.print(String.format("%,d events…\r", events));
          err.flush();
        }
      }
    } catch (UncheckedIOException e) {
      throw new ApiException(
          String.format("the journal stream broke off after %,d events: %s", events, e.getCause()), e);
    } finally {
      out.flush();
    }
    // Longer than the progress line, so it covers it completely.
    err.println(String.format("%,d events replayed", events));
  }

  /** The entries of a row that holds a whole command are numbered seqNr.part, as the dashboard's audit view does. */
  private static String row(JsonNode line) {
    String type = line.path("type").asText();
    String seqNr = line.path("seqNr").asText() + (line.has("part") ? "." + line.path("part").asInt() : "");
    return Table.line(
        WIDTHS, seqNr, Times.iso(line.path("timestamp").asLong()), type, EventSummary.of(type, line.path("event")));
  }

  // Once stdout is gone (e.g. piped into head) there is no point reading the rest of a long journal. System.out is
  // checked too: it is a PrintStream, which keeps its own errors from the writer picocli wraps around it.
  private static boolean stdoutClosed(PrintWriter out) {
    return out.checkError() || System.out.checkError();
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
