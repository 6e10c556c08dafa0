package io.tidewatch.persistence.state;

import io.tidewatch.persistence.anomaly.AnomalyRules;
import io.tidewatch.persistence.pipeline.Pipeline;
import io.tidewatch.protocol.EntityProtocol;
import io.tidewatch.protocol.TypeConfigProtocol.History;
import io.tidewatch.protocol.TypeConfigProtocol.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The versions of one entity type's live configuration that this node knows, compiled: the ingest runs the newest
 * one's pipeline, and an entity judges each command's readings by the rules of the version the ingest named (and,
 * on replay, each journaled event by the version it names). Versions only ever get added, and a version never
 * changes, so a reader needs no lock: it reads one immutable map.
 *
 * <p>Until the node has heard the type's history ({@link #update}) it knows one version, its configuration file's,
 * as version {@value EntityProtocol#FIRST_CONFIG_VERSION}: what tests and benches run, and what a type without any
 * change runs.
 */
public final class TypeVersions {

  /** One version, compiled. {@code version} is null for the file's, before the history was heard. */
  public record Live(int number, Version version, AnomalyRules rules, Pipeline pipeline) {}

  private final EntityTypeConfig config;
  private volatile TreeMap<Integer, Live> versions;
  private final Map<Integer, List<CompletableFuture<Live>>> waiting = new HashMap<>(); // guarded by this
  /** Versions heard of that do not compile on this node, with why. */
  private volatile Map<Integer, String> failed = Map.of();
  private final CompletableFuture<Void> heard = new CompletableFuture<>();
  private volatile Consumer<String> onMissing = type -> {};

  private TypeVersions(EntityTypeConfig config) {
    this.config = config;
    TreeMap<Integer, Live> first = new TreeMap<>();
    first.put(EntityProtocol.FIRST_CONFIG_VERSION,
        new Live(EntityProtocol.FIRST_CONFIG_VERSION, null, config.anomalies(), config.pipeline()));
    this.versions = first;
  }

  /** The configuration file's version alone, as if heard: for tests and benches, which run no configuration entity. */
  public static TypeVersions of(EntityTypeConfig config) {
    TypeVersions versions = new TypeVersions(config);
    versions.heard.complete(null);
    return versions;
  }

  /** The configuration file's version until the node hears the type's history ({@link #heard}). */
  public static TypeVersions untilHeard(EntityTypeConfig config) {
    return new TypeVersions(config);
  }

  public EntityTypeConfig config() {
    return config;
  }

  public String type() {
    return config.type();
  }

  public Live latest() {
    return versions.lastEntry().getValue();
  }

  /**
   * The newest version, for the ingest to shape readings with; throws {@link IllegalStateException} saying why if the
   * newest version heard of does not compile on this node (an older one would run other rules than the cluster's).
   */
  public Live current() {
    Live latest = latest();
    Map<Integer, String> notCompiled = failed;
    if (!notCompiled.isEmpty()) {
      int newest = ((TreeMap<Integer, String>) notCompiled).lastKey();
      if (newest > latest.number()) {
        throw notCompiling(newest, notCompiled.get(newest));
      }
    }
    return latest;
  }

  /** Why version {@code number} does not compile on this node, or null if it does or was not heard of. */
  public String failure(int number) {
    return failed.get(number);
  }

  /** True once the node has heard the type's history ({@link #heard}). */
  public boolean isHeard() {
    return heard.isDone();
  }

  /** Completes once the node has heard the type's history ({@link #update}): until then only the file's is known. */
  public CompletionStage<Void> heard() {
    return heard;
  }

  /** The version numbered {@code number}, or null if this node has not heard of it yet. */
  public Live get(int number) {
    return versions.get(number);
  }

  /** Every version known, oldest first. */
  public List<Live> all() {
    return List.copyOf(versions.values());
  }

  /**
   * Takes in a history of the type: each version this node did not know yet is compiled and added (the file's
   * provisional first version is replaced by the journaled one). A version that does not compile here (an onnx
   * model file missing on this node) is left out with the reason: what waits for it fails, and {@link #current}
   * refuses to hand out an older one.
   *
   * @return the versions added, and those that do not compile on this node with why
   */
  public synchronized Update update(History history) {
    TreeMap<Integer, Live> next = new TreeMap<>(versions);
    TreeMap<Integer, String> failures = new TreeMap<>();
    List<Live> added = new ArrayList<>();
    for (Version version : history.versions()) {
      Live known = next.get(version.version());
      if (known != null && version.equals(known.version())) {
        continue;
      }
      try {
        EntityTypeConfig.Compiled compiled = config.compile(version.sources());
        Live live = new Live(version.version(), version, compiled.rules(), compiled.pipeline());
        next.put(version.version(), live);
        added.add(live);
      } catch (IllegalArgumentException e) {
        failures.put(version.version(), e.getMessage());
      }
    }
    versions = next;
    failed = failures;
    for (Live live : added) {
      List<CompletableFuture<Live>> waiters = waiting.remove(live.number());
      if (waiters != null) {
        waiters.forEach(w -> w.complete(live));
      }
    }
    failures.forEach((number, reason) -> {
      List<CompletableFuture<Live>> waiters = waiting.remove(number);
      if (waiters != null) {
        waiters.forEach(w -> w.completeExceptionally(notCompiling(number, reason)));
      }
    });
    heard.complete(null);
    return new Update(List.copyOf(added), failures);
  }

  /** What {@link #update} did: the versions it added, and those that do not compile here with why. */
  public record Update(List<Live> added, Map<Integer, String> failed) {}

  /**
   * The version numbered {@code number}, now if known, else once {@link #update} brings it; asks the node to fetch
   * the history at once ({@link #onMissing}) rather than wait for the next change to arrive.
   */
  public CompletionStage<Live> await(int number) {
    Live known = versions.get(number);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    CompletableFuture<Live> future = new CompletableFuture<>();
    synchronized (this) {
      known = versions.get(number);
      if (known != null) {
        return CompletableFuture.completedFuture(known);
      }
      String failure = failed.get(number);
      if (failure != null) {
        return CompletableFuture.failedFuture(notCompiling(number, failure));
      }
      waiting.computeIfAbsent(number, n -> new ArrayList<>()).add(future);
    }
    // A waiter that gives up (its caller's timeout) is forgotten, so those that wait in vain do not pile up.
    future.whenComplete((live, failure) -> {
      if (failure != null) {
        forget(number, future);
      }
    });
    onMissing.accept(config.type());
    return future;
  }

  /** Asks the node to fetch the type's history if version {@code number} is neither known nor failed here. */
  public void fetchIfUnknown(int number) {
    if (versions.get(number) == null && failed.get(number) == null) {
      onMissing.accept(config.type());
    }
  }

  private IllegalStateException notCompiling(int number, String reason) {
    return new IllegalStateException(
        "version " + number + " of the configuration of type " + config.type() + " does not compile on this node: " + reason);
  }

  private synchronized void forget(int number, CompletableFuture<Live> waiter) {
    List<CompletableFuture<Live>> waiters = waiting.get(number);
    if (waiters != null && waiters.remove(waiter) && waiters.isEmpty()) {
      waiting.remove(number);
    }
  }

  /** What to do when something waits for a version this node does not know: fetch the type's history. */
  public void onMissing(Consumer<String> fetch) {
    this.onMissing = fetch;
  }
}
