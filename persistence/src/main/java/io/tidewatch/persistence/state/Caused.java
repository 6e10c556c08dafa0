package io.tidewatch.persistence.state;

/**
 * An output the entity keeps (a closed window, an alert) with the Kafka position of the reading that produced it:
 * the last reading applied before it. A redelivery of that reading gets the output again in its reply, so outputs
 * lost in a crash between journal write and publish are published on the redelivery (DESIGN §2).
 *
 * @param partition {@link #NO_READING} when no reading produced it (the idle timer closed it, or it was journaled
 *     before entities kept causes)
 */
record Caused<T>(T output, int partition, long offset) {

  static final int NO_READING = -1;

  /** True if its reading came from {@code partition} at an offset in [{@code from}, {@code to}]. */
  boolean causedWithin(int partition, long from, long to) {
    return this.partition == partition && offset >= from && offset <= to;
  }

  /** One long for snapshots: partition in the high 16 bits, offset in the low 48; -1 for no reading. */
  long packed() {
    return partition == NO_READING ? -1 : ((long) partition << 48) | offset;
  }

  static <T> Caused<T> unpack(T output, long packed) {
    return packed < 0 ? new Caused<>(output, NO_READING, -1) : new Caused<>(output, (int) (packed >>> 48), packed & ((1L << 48) - 1));
  }
}
