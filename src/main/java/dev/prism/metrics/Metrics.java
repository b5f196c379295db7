package dev.prism.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process's meter registry, shared infrastructure like the store: features register their own meters on it and
 * {@code GET /metrics} serves it in the Prometheus text format. Meters are thread-safe.
 */
public final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentMap<String, AtomicLong> levels = new ConcurrentHashMap<>();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * A gauge that every instance of a verticle adds to and takes from. A registry keeps the state object of the first
     * gauge registered under a name and ignores later ones, so instances must share one value rather than register
     * their own.
     */
    public AtomicLong level(String name, String description) {
        return levels.computeIfAbsent(name, n -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(n, value, AtomicLong::get).description(description).register(registry);
            return value;
        });
    }

    /** Everything registered, in the Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }
}
