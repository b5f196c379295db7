package dev.prism.web;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Ingestion with embedded PostgreSQL")
class EmbeddedPostgresIngestionTest extends IngestionContract {

    @Override
    Map<String, String> storeSettings() {
        return Map.of(); // no pg.url: the server starts embedded PostgreSQL in the temp data directory
    }
}
