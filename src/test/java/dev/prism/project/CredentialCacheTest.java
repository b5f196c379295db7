package dev.prism.project;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Ingestion credential cache")
class CredentialCacheTest {

    @Test
    @DisplayName("an entry answers until its TTL is over, then the database must be asked again")
    void expires() {
        CredentialCache c = new CredentialCache(5_000, 10);
        c.put("h", "p", 0);
        assertThat(c.get("h", 4_999)).isEqualTo("p");
        assertThat(c.get("h", 5_000)).isNull();
        assertThat(c.size()).isZero();
    }

    @Test
    @DisplayName("removal is immediate, a TTL of 0 caches nothing, and the entry count is bounded")
    void removeZeroAndBound() {
        CredentialCache c = new CredentialCache(5_000, 3);
        c.put("h", "p", 0);
        c.remove("h");
        assertThat(c.get("h", 1)).isNull();
        CredentialCache none = new CredentialCache(0, 3);
        none.put("h", "p", 0);
        assertThat(none.get("h", 0)).isNull();
        for (int i = 0; i < 100; i++) {
            c.put("h" + i, "p", 0);
        }
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.get("h99", 1)).isEqualTo("p");
    }
}
