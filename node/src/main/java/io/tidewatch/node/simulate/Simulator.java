package io.tidewatch.node.simulate;

import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Produces simulated readings to the input topic at a steady rate until closed, logging progress. */
public final class Simulator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Simulator.class);
  private static final long TICK_MS = 20;
  private static final long PROGRESS_EVERY_MS = 10_000;

  private final SimulatorSettings settings;
  private final KafkaProducer<String, byte[]> producer;
  private final ReadingGenerator generator;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tidewatch-simulator");
        t.setDaemon(true);
        return t;
      });
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private long startedMs;
  private long lastProgressMs;

  private Simulator(SimulatorSettings settings) {
    this.settings = settings;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.generator = new ReadingGenerator(settings);
  }

  public static Simulator start(SimulatorSettings settings) {
    Simulator simulator = new Simulator(settings);
    simulator.startedMs = System.currentTimeMillis();
    simulator.lastProgressMs = simulator.startedMs;
    simulator.scheduler.scheduleAtFixedRate(simulator::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    log.info(
        "Simulating {} sensors and {} users at {}/s into {} as {}",
        settings.sensors(),
        settings.users(),
        settings.ratePerSecond(),
        settings.topic(),
        settings.format());
    return simulator;
  }

  /** Sends whatever the target rate owes since the start: a slow tick is made up by the next one. */
  private void tick() {
    long now = System.currentTimeMillis();
    long due = (long) ((now - startedMs) * settings.ratePerSecond() / 1000.0);
    while (sent.get() + failed.get() < due) {
      sent.incrementAndGet();
      producer.send(
          ReadingRecords.of(settings.topic(), generator.next(now), settings.format()),
          (metadata, error) -> {
            if (error != null) {
              sent.decrementAndGet();
              if (failed.incrementAndGet() % 1000 == 1) {
                log.warn("Simulator cannot produce: {}", error.getMessage());
              }
            }
          });
    }
    if (now - lastProgressMs >= PROGRESS_EVERY_MS) {
      lastProgressMs = now;
      double seconds = (now - startedMs) / 1000.0;
      log.info("Simulator: {} readings sent ({}/s), {} failed", sent.get(), Math.round(sent.get() / seconds), failed.get());
    }
  }


  @Override
  public void close() {
    scheduler.shutdownNow();
    producer.close();
  }
}
