package dev.prism.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    private static Schedule parse(String json) throws Exception {
        return Schedule.parse(JSON.readTree(json)).orElse(null);
    }

    @Test
    @DisplayName("schedules read as periods; manual has none; interval defaults to 10 minutes")
    void parses() throws Exception {
        assertThat(parse("{\"type\": \"manual\"}")).isNull();
        assertThat(parse("{\"type\": \"interval\", \"minutes\": 15}").period()).isEqualTo(Duration.ofMinutes(15));
        assertThat(parse("{\"type\": \"interval\"}").period()).isEqualTo(Duration.ofMinutes(10));
        assertThat(parse("{\"type\": \"daily\"}").period()).isEqualTo(Duration.ofDays(1));
        assertThat(parse("{\"type\": \"weekly\"}").period()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    @DisplayName("the first run covers one period back; the next is due a period after the last window and starts where it ended")
    void windowsAreAdjacent() throws Exception {
        Schedule every10 = parse("{\"type\": \"interval\", \"minutes\": 10}");
        assertThat(every10.due(null, NOW)).contains(new Schedule.Window(NOW.minus(Duration.ofMinutes(10)), NOW));
        Instant last = NOW.minus(Duration.ofMinutes(9));
        assertThat(every10.due(last, NOW)).isEmpty();
        Instant older = NOW.minus(Duration.ofMinutes(25));
        assertThat(every10.due(older, NOW)).contains(new Schedule.Window(older, NOW));
    }
}
