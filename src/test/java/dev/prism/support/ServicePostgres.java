package dev.prism.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The machine's PostgreSQL service (127.0.0.1:5432, trust auth; {@code src/test/sh/test-services.sh} installs and starts
 * it before the tests when needed).
 * Each test class gets a database of its own, dropped afterwards, so runs never see each other's rows.
 */
public final class ServicePostgres implements AutoCloseable {

    private static final String ADMIN_URL = System.getProperty("prism.test.pg.admin", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private static final String USER = System.getProperty("prism.test.pg.user", "postgres");

    private final String database;

    private ServicePostgres(String database) {
        this.database = database;
    }

    public static ServicePostgres createDatabase() throws SQLException {
        String name = "prism_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new ServicePostgres(name);
    }

    public String url() {
        return "postgresql://" + USER + "@127.0.0.1:5432/" + database;
    }

    /** Runs statements on this database (test set-up: rows a test needs, a table taken away and put back). */
    public void execute(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, USER, ""); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }
}
