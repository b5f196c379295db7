package dev.prism.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A theme's schedule ({@code {"type": "interval", "minutes": 10}}, {@code daily}, {@code weekly} or {@code manual}) and
 * when its next run is due. Consecutive scheduled runs cover adjacent windows, so every completed trace falls in
 * exactly one; the first covers one period back from now (older traces are a manual run's job).
 */
record Schedule(Duration period) {

    static final int DEFAULT_MINUTES = 10;

    /** @return empty for a manual schedule */
    static Optional<Schedule> parse(JsonNode json) {
        String type = json == null ? "interval" : json.path("type").asText("interval");
        return switch (type) {
            case "manual" -> Optional.empty();
            case "daily" -> Optional.of(new Schedule(Duration.ofDays(1)));
            case "weekly" -> Optional.of(new Schedule(Duration.ofDays(7)));
            default -> Optional.of(new Schedule(Duration.ofMinutes(Math.max(1, json == null ? DEFAULT_MINUTES
                    : json.path("minutes").asInt(DEFAULT_MINUTES)))));
        };
    }

    record Window(Instant from, Instant to) {
    }

    /**
     * @param lastWindowEnd where the previous scheduled run's window ended; null when the theme never ran on schedule
     * @return the window to run now, or empty when the next run is not due yet
     */
    Optional<Window> due(Instant lastWindowEnd, Instant now) {
        if (lastWindowEnd == null) {
            return Optional.of(new Window(now.minus(period), now));
        }
        return lastWindowEnd.plus(period).isAfter(now) ? Optional.empty() : Optional.of(new Window(lastWindowEnd, now));
    }
}
