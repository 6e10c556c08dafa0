package io.tidewatch.persistence.output;

import io.tidewatch.protocol.EntityProtocol.Outputs;
import java.util.concurrent.CompletionStage;

/**
 * Where an entity's closed windows and alerts go once they are journaled: the output topics and the read-side
 * tables. Completes once every record is acknowledged; only then may the readings that produced them be committed
 * (or, for windows the idle timer closed, be marked published). Idempotent: a repeat writes the same rows and
 * records with the same ids.
 */
public interface OutputSink {

  CompletionStage<?> publish(String type, String id, Outputs outputs);
}
