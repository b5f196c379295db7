package dev.prism.web;

import dev.prism.support.ServicePostgres;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Ingestion with the machine's PostgreSQL service")
class ServicePostgresIngestionTest extends IngestionContract {

    private ServicePostgres database;

    @Override
    Map<String, String> storeSettings() throws Exception {
        database = ServicePostgres.createDatabase();
        return Map.of("pg.url", database.url());
    }

    @Override
    void closeStore() throws Exception {
        if (database != null) {
            database.close();
        }
    }
}
