package dev.prism.store;

import java.net.ConnectException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A background loop's outage log")
class OutageLogTest {

    @Test
    @DisplayName("tracks an outage from its first failed round to the next round that works")
    void outage() {
        OutageLog log = new OutageLog(LoggerFactory.getLogger(OutageLogTest.class), "Test loop");
        assertThat(log.inOutage()).isFalse();
        log.failed(new IllegalStateException("a bug, not an outage"));
        assertThat(log.inOutage()).isFalse();
        for (int i = 0; i < 100; i++) {
            log.failed(new ConnectException("Connection refused"));
        }
        assertThat(log.inOutage()).isTrue();
        log.succeeded();
        assertThat(log.inOutage()).isFalse();
    }
}
