package dev.prism.web;

import org.junit.jupiter.api.DisplayName;

import java.util.Map;

@DisplayName("Ingestion with embedded PostgreSQL")
class EmbeddedPostgresIngestionTest extends IngestionContract {

    @Override
    Map<String, String> storeSettings() {
        return Map.of(); // no pg.url: the server starts embedded PostgreSQL in the temp data directory
    }
}
