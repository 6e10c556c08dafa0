package io.tidewatch.node.bench;

import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A live load at a fixed rate: readings of sensors {@code sensor-00000...} in turn, stamped with the wall clock, so
 * none is ever late. It counts what the broker acknowledged per sensor: after the load stops, each sensor must have
 * recorded exactly that many readings.
 */
final class PacedLoad implements AutoCloseable {

  private static final long TICK_NANOS = 10_000_000;

  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final int rate;
  private final AtomicLongArray acknowledged;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;

  private PacedLoad(String bootstrapServers, String topic, int sensors, int rate) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    this.topic = topic;
    this.rate = rate;
    this.acknowledged = new AtomicLongArray(sensors);
    this.thread = new Thread(this::send, "tidewatch-paced-load");
  }

  static PacedLoad start(String bootstrapServers, String topic, int sensors, int rate) {
    PacedLoad load = new PacedLoad(bootstrapServers, topic, sensors, rate);
    load.thread.start();
    return load;
  }

  static String sensorId(int s) {
    return String.format(Locale.ROOT, "sensor-%05d", s);
  }

  int sensors() {
    return acknowledged.length();
  }

  /** Readings of sensor {@code s} the broker has acknowledged. */
  long acknowledged(int s) {
    return acknowledged.get(s);
  }

  long acknowledged() {
    long total = 0;
    for (int s = 0; s < acknowledged.length(); s++) {
      total += acknowledged.get(s);
    }
    return total;
  }

  /** Sends as many readings as the rate allows for the time elapsed, every 10 ms. */
  private void send() {
    long start = System.nanoTime();
    long sent = 0;
    int next = 0;
    while (running) {
      long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
      for (; sent < due; sent++) {
        int s = next;
        next = (next + 1) % acknowledged.length();
        String id = sensorId(s);
        String json = String.format(Locale.ROOT,
            "{\"entityType\":\"sensor\",\"entityId\":\"%s\",\"ts\":%d,\"metrics\":{\"temperature\":%.2f}}",
            id, System.currentTimeMillis(), 20.0 + (sent % 100) / 100.0);
        producer.send(new ProducerRecord<>(topic, id, json), (metadata, error) -> {
          if (error == null) {
            acknowledged.incrementAndGet(s);
          } else {
            failure.compareAndSet(null, error);
          }
        });
      }
      try {
        Thread.sleep(TICK_NANOS / 1_000_000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops sending and waits for the broker to acknowledge what was sent; fails if any send failed. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.flush();
    producer.close();
    if (failure.get() != null) {
      throw new IllegalStateException("the load was not fully written: " + failure.get().getMessage(), failure.get());
    }
  }
}
