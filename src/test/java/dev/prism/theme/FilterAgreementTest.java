package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceAggregates;
import dev.prism.bus.TraceEvent;
import dev.prism.trace.TraceAssembler;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The property that matters: for any valid filters, the traces PostgreSQL selects with {@link FilterSql} are exactly
 * the traces {@link TraceFilter} accepts in memory. Random traces go into a fresh database; the in-memory side sees
 * them as production does, read back from jsonb and assembled by {@link TraceAssembler}. The seed is random per run
 * and printed in every failure; {@code -Dprism.filters.seed=N} replays a run.
 */
class FilterAgreementTest {

    private static final String ADMIN_URL = System.getProperty("prism.test.pg.admin", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private static final String USER = System.getProperty("prism.test.pg.user", "postgres");
    private static final long SEED = Long.getLong("prism.filters.seed", new Random().nextLong());
    private static final int TRACES = 300;
    private static final int FILTER_LISTS = 300;

    private static String database;
    private static Connection jdbc;
    private static Vertx vertx;
    private static Pool pool;
    /** As production sees them: events read back from the database, assembled. */
    private static List<AssembledTrace> traces;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = "prism_filters_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection admin = DriverManager.getConnection(ADMIN_URL, USER, ""); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        String url = ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + database;
        Flyway.configure().dataSource(url, USER, "").locations("classpath:db/migration").load().migrate();
        jdbc = DriverManager.getConnection(url, USER, "");
        vertx = Vertx.vertx();
        java.net.URI uri = java.net.URI.create(url.substring("jdbc:".length()));
        pool = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())
                .setDatabase(database).setUser(USER)).using(vertx).build();

        try (Statement s = jdbc.createStatement()) {
            s.execute("INSERT INTO projects (id, name, ingest_token_hash) VALUES ('p', 'p', 'h')");
        }
        insertEvents(new Random(SEED));
        traces = readBackAndAssemble();
        insertTraces(traces);
        insertRelevance(traces);
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (pool != null) {
            pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (jdbc != null) {
            jdbc.close();
        }
        if (database != null) {
            try (Connection admin = DriverManager.getConnection(ADMIN_URL, USER, ""); Statement s = admin.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    @Test
    @DisplayName("SQL and the in-memory evaluator select the same traces for random filters of every kind")
    void sqlAndMemoryAgree() throws Exception {
        Random random = new Random(SEED ^ 0x5DEECE66DL);
        int nonTrivial = 0;
        Map<FilterOperator, Integer> decisive = new EnumMap<>(FilterOperator.class);
        for (int n = 0; n < FILTER_LISTS; n++) {
            List<PropertyFilter> filters = new ArrayList<>();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                filters.add(randomFilter(random));
            }
            assertThat(FilterValidation.problems(filters, "filters")).as("seed %d: generated %s", SEED, filters).isEmpty();

            Set<String> bySql = assertSameTraces(filters);
            if (!bySql.isEmpty() && bySql.size() < traces.size()) {
                nonTrivial++;
                if (filters.size() == 1) {
                    decisive.merge(FilterOperator.fromWire(filters.get(0).operator()).orElseThrow(), 1, Integer::sum);
                }
            }
        }
        // Guards the generator: agreement on filters that select all or nothing would prove little.
        assertThat(nonTrivial).as("seed %d: filter lists selecting some but not all traces", SEED).isGreaterThan(FILTER_LISTS / 3);
        assertThat(decisive.keySet()).as("seed %d: operators that split the traces on their own", SEED)
                .hasSizeGreaterThanOrEqualTo(FilterOperator.values().length - 2);
    }

    /**
     * Runs the filters both ways and fails, explaining, unless they select the same traces; returns them. The negated
     * expression must select exactly the rest, which holds only if the SQL is never NULL.
     */
    private static Set<String> assertSameTraces(List<PropertyFilter> filters) throws Exception {
        FilterSql.Compiled compiled = FilterSql.compile(filters, 2);
        TraceFilter filter = TraceFilter.of(filters);
        Set<String> inMemory = traces.stream().filter(t -> filter.test(t, RELEVANCE.getOrDefault(t.traceId(), Map.of()))).map(AssembledTrace::traceId)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> bySql = select(compiled.sql(), compiled.params());
        if (!bySql.equals(inMemory)) {
            throw new AssertionError(disagreement(filters, compiled, bySql, inMemory));
        }
        Set<String> rest = traces.stream().map(AssembledTrace::traceId).filter(id -> !inMemory.contains(id))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> byNegatedSql = select("NOT (" + compiled.sql() + ")", compiled.params());
        if (!byNegatedSql.equals(rest)) {
            throw new AssertionError("NOT of the compiled SQL is not the complement\n" + disagreement(filters, compiled, byNegatedSql, rest));
        }
        return bySql;
    }

    private static Set<String> select(String condition, List<Object> filterParams) throws Exception {
        List<Object> params = new ArrayList<>();
        params.add("p");
        params.addAll(filterParams);
        Set<String> ids = new TreeSet<>();
        for (Row row : pool.preparedQuery("SELECT t.trace_id FROM traces t WHERE t.project_id = $1 AND " + condition)
                .execute(Tuple.from(params)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)) {
            ids.add(row.getString(0));
        }
        return ids;
    }

    @Test
    @DisplayName("SQL and memory agree on hand-picked edge cases: Unicode case, number spellings, nesting, line ends")
    void edgeCasesAgree() throws Exception {
        List<PropertyFilter> cases = List.of(
                ev("tier", "regex", "(?i)über"), ev("tier", "regex", "(?i)ÜNÏCODE"), ev("tier", "regex", "(?i)^pro$"),
                ev("tier", "regex", "^\\w+ \\w+$"), ev("tier", "icontains", "ünïcode"), ev("tier", "icontains", "ÜBER"),
                ev("tier", "icontains", "PRO PLAN"), ev("tier", "exact", true), ev("tier", "exact", 3), ev("tier", "gt", 2),
                ev("$ai_model", "icontains", "σοφια"), ev("$ai_model", "icontains", "ärger"), ev("$ai_model", "regex", "(?i)σοφια"),
                ev("$ai_model", "regex", "(?i)ärger"), ev("$ai_model", "regex", "(?i)ÄRGER"), ev("$ai_model", "not_icontains", "gpt"),
                ev("$ai_trace_name", "regex", "y$"), ev("$ai_trace_name", "regex", "^Search.query$"),
                ev("$ai_trace_name", "regex", "h\\nq"), ev("$ai_trace_name", "icontains", "CAFÉ"),
                ev("$ai_trace_name", "icontains", "NAÏVE"), ev("$ai_trace_name", "regex", "\\$$"),
                ev("$ai_trace_name", "regex", "^12\\.5$"), ev("$ai_trace_name", "gt", 12),
                ev("score", "exact", 2.5), ev("score", "exact", "2.5"), ev("score", "exact", "2.50"), ev("score", "exact", 1),
                ev("score", "exact", "1.0"), ev("score", "exact", "-0"), ev("score", "exact", 0), ev("score", "exact", -0.0),
                ev("score", "exact", new BigInteger("12345678901234567890")), ev("score", "gt", "12345678901234567889"),
                ev("score", "gt", 12), ev("score", "lt", 0), ev("score", "lte", -0.5), ev("score", "gte", "1e2"),
                ev("score", "exact", "007"), ev("score", "gt", 6), ev("score", "is_not", List.of(3, "abc", 2.5)),
                ev("$ai_latency", "exact", 0.00001), ev("$ai_latency", "exact", "0.00001"), ev("$ai_latency", "gt", 0),
                ev("$ai_latency", "lt", 0.0001), ev("$ai_latency", "exact", "2.50"), ev("$ai_latency", "regex", "^2\\.5$"),
                ev("$ai_latency", "icontains", "E"), ev("$ai_latency", "gt", 14),
                ev("$ai_http_status", "exact", 200), ev("$ai_http_status", "exact", "200.0"), ev("$ai_http_status", "regex", "^200$"),
                ev("$ai_http_status", "icontains", "."), ev("$ai_http_status", "gt", 199.5),
                ev("tags", "exact", "vip"), ev("tags", "exact", "VIP"), ev("tags", "exact", "Vip"), ev("tags", "exact", 42),
                ev("tags", "exact", true), ev("tags", "exact", 2.5), ev("tags", "icontains", "ip"), ev("tags", "regex", "^x$"),
                ev("tags", "gt", 41), ev("tags", "is_set", null), ev("tags", "is_not_set", null), ev("tags", "exact", "a"),
                ev("tags", "is_not", "vip"), ev("tags", "not_regex", "(?i)vip"),
                ev("$ai_error", "is_set", null), ev("$ai_error", "is_not_set", null), ev("$ai_error", "exact", ""),
                ev("$ai_error", "exact", 500), ev("$ai_error", "icontains", "time"),
                ev("event", "exact", "$ai_metric"), ev("event", "regex", "^\\$ai_(span|trace)$"),
                ev("event", "is_not", "$ai_generation"), ev("event", "icontains", "EMBED"),
                ev("missing", "is_not_set", null), ev("missing", "is_set", null), ev("missing", "is_not", "x"),
                ev("missing", "not_regex", "x"), ev("missing", "not_icontains", "x"), ev("missing", "lt", 1),
                PropertyFilter.trace("trace.latency", "exact", 0.00001), PropertyFilter.trace("trace.latency", "exact", 15),
                PropertyFilter.trace("trace.latency", "exact", "2.50"), PropertyFilter.trace("trace.latency", "is_not_set", null),
                PropertyFilter.trace("trace.latency", "gt", 0), PropertyFilter.trace("trace.latency", "lt", 0.001),
                PropertyFilter.trace("trace.cost_usd", "exact", 0.25), PropertyFilter.trace("trace.cost_usd", "exact", 0.0125),
                PropertyFilter.trace("trace.cost_usd", "gt", "0.2625"), PropertyFilter.trace("trace.tokens", "exact", 105),
                PropertyFilter.trace("trace.tokens", "gte", 250), PropertyFilter.trace("trace.error_count", "exact", 0),
                PropertyFilter.trace("trace.event_count", "exact", 6), PropertyFilter.trace("trace.event_count", "is_not", List.of(1, 2)),
                PropertyFilter.trace("trace.relevance.ux_issues", "gte", 0.3), PropertyFilter.trace("trace.relevance.ux_issues", "lt", 1),
                PropertyFilter.trace("trace.relevance.ux_issues", "exact", 0.3001), PropertyFilter.trace("trace.relevance.ux_issues", "exact", 0.77),
                PropertyFilter.trace("trace.relevance.feature_requests", "gte", 0.5), PropertyFilter.trace("trace.relevance.feature_requests", "is_not", List.of(1, 0)),
                PropertyFilter.trace("trace.relevance.unknown_theme", "lt", 1), PropertyFilter.trace("trace.relevance.ux_issues", "is_set", null));
        int decisive = 0;
        for (PropertyFilter f : cases) {
            Set<String> selected = assertSameTraces(List.of(f));
            decisive += !selected.isEmpty() && selected.size() < traces.size() ? 1 : 0;
        }
        assertThat(decisive).as("seed %d: edge cases selecting some but not all traces", SEED).isGreaterThan(cases.size() / 2);
    }

    private static PropertyFilter ev(String key, String operator, Object value) {
        return PropertyFilter.event(key, operator, value);
    }

    private static String disagreement(List<PropertyFilter> filters, FilterSql.Compiled compiled, Set<String> bySql,
                                       Set<String> inMemory) {
        Set<String> onlySql = new TreeSet<>(bySql);
        onlySql.removeAll(inMemory);
        Set<String> onlyMemory = new TreeSet<>(inMemory);
        onlyMemory.removeAll(bySql);
        StringBuilder out = new StringBuilder("SQL and memory disagree (replay with -Dprism.filters.seed=" + SEED + ")\n")
                .append("filters: ").append(PropertyFilter.toJson(filters)).append('\n')
                .append("sql: ").append(compiled.sql()).append('\n')
                .append("params: ").append(compiled.params().stream().map(p -> p instanceof Object[] a ? List.of(a).toString()
                        : String.valueOf(p)).toList()).append('\n')
                .append("only SQL: ").append(onlySql).append("\nonly memory: ").append(onlyMemory).append('\n');
        traces.stream().filter(t -> onlySql.contains(t.traceId()) || onlyMemory.contains(t.traceId())).limit(3).forEach(t -> {
            out.append(t.traceId()).append(' ').append(t.aggregates()).append('\n');
            t.events().forEach(e -> out.append("  ").append(e.event()).append(' ').append(e.properties()).append('\n'));
        });
        return out.toString();
    }

    @Test
    @DisplayName("accepted regexes match the same strings in Java and in PostgreSQL")
    void regexesAgree() throws SQLException {
        Random random = new Random(SEED);
        List<String> patterns = new ArrayList<>(REGEXES);
        patterns.addAll(List.of("[a-]", "[-a]", "[^\\]]", "a{0,2}b{2,}c", "x\\{y\\}", "(?i)[a-f]{3}", "\\w+-\\w+", "^\\d*\\.?\\d+$",
                "[\\d\\s]", "a|", "()", "(|a)b", "\\t|\\n", "[\\^x]", "\\\\", "É", "(?i)É", "[À-ÿ]", "\\W", "\\S+\\s\\S+",
                "a.*?b", "^(?:x|y)+?$", "[.]", "\\/", "#", " "));
        while (patterns.size() < 400) {
            patterns.add(RandomRegex.next(random));
        }
        List<String> strings = new ArrayList<>(List.of("", "a", "ab", "AB", "a\nb", "ab\n", "\n", "x$", "x{y}", "É", "é", "Über",
                "über", "ÜBER", "$ai_span", "a-b", "12.5", ".5", "tab\there", "back\\slash", "a b", "ÿ", "À", "_"));
        String alphabet = "abcABCxyzÉé.-_ \n19$\\{}[]()|^";
        while (strings.size() < 150) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(9); k > 0; k--) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            strings.add(s.toString());
        }
        List<SafeRegex> compiled = patterns.stream().map(SafeRegex::of).toList();
        try (PreparedStatement q = jdbc.prepareStatement("SELECT p.i, s.j, (s.v COLLATE \"C\") ~ p.v FROM"
                + " unnest(?::text[]) WITH ORDINALITY AS p(v, i) CROSS JOIN unnest(?::text[]) WITH ORDINALITY AS s(v, j)")) {
            q.setArray(1, jdbc.createArrayOf("text", patterns.toArray()));
            q.setArray(2, jdbc.createArrayOf("text", strings.toArray()));
            int checked = 0;
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    String pattern = patterns.get(r.getInt(1) - 1);
                    String s = strings.get(r.getInt(2) - 1);
                    boolean java = compiled.get(r.getInt(1) - 1).pattern().matcher(s).find();
                    assertThat(java).as("seed %d: /%s/ on \"%s\" (PostgreSQL says %s)", SEED, pattern, s, r.getBoolean(3))
                            .isEqualTo(r.getBoolean(3));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(patterns.size() * strings.size());
        }
    }

    @Test
    @DisplayName("a number read back from jsonb has the same text in Java as trim_scale gives in SQL")
    void numberTextsAgree() throws Exception {
        Random random = new Random(SEED);
        List<String> written = new ArrayList<>(List.of("0", "-0", "0.0", "-0.0", "1.0", "2.50", "100", "1e2", "1E+2", "1.5e-7",
                "123456789012345678901234567890", "-42.000", "0.1", "1e-05", "9007199254740993", "3.14159"));
        while (written.size() < 2_000) {
            if (random.nextBoolean()) {
                // Up to 15 significant digits, any scale, sometimes with trailing zeros as a hand-written JSON might have.
                BigDecimal d = new BigDecimal(BigInteger.valueOf(random.nextLong() % 1_000_000_000_000_000L), random.nextInt(40) - 20);
                String text = random.nextBoolean() ? d.toString() : d.toPlainString();
                written.add(random.nextInt(4) == 0 && !text.contains("E") ? (text.contains(".") ? text + "00" : text + ".0") : text);
            } else {
                // What JavaScript or Python writes for a double: its shortest round-trip form.
                double d = Double.longBitsToDouble(random.nextLong());
                if (Double.isFinite(d)) {
                    written.add(PropertyValues.shortest(d).toString());
                }
            }
        }
        try (PreparedStatement q = jdbc.prepareStatement("SELECT v::text, trim_scale(v::numeric)::text FROM"
                + " unnest(?::text[]) AS w(x), LATERAL (SELECT w.x::jsonb) AS j(v)")) {
            q.setArray(1, jdbc.createArrayOf("text", written.toArray()));
            try (ResultSet r = q.executeQuery()) {
                int i = 0;
                while (r.next()) {
                    JsonNode node = TestTraces.MAPPER.readTree(r.getString(1));
                    assertThat(PropertyValues.text(node)).as("seed %d: %s stored as %s", SEED, written.get(i), r.getString(1))
                            .isEqualTo(r.getString(2));
                    i++;
                }
                assertThat(i).isEqualTo(written.size());
            }
        }
    }

    @Test
    @DisplayName("case folding in SQL is the same table as in Java, whatever the database locale")
    void caseFoldingAgrees() throws SQLException {
        StringBuilder all = new StringBuilder();
        for (char c = 1; c < 0x0600; c++) {
            all.append(c);
        }
        all.append("ẞ Ꭰ ＡＢＣ 😀 ǅ");
        try (PreparedStatement q = jdbc.prepareStatement("SELECT " + CaseFold.sql("?::text"))) {
            q.setString(1, all.toString());
            try (ResultSet r = q.executeQuery()) {
                r.next();
                assertThat(r.getString(1)).isEqualTo(CaseFold.fold(all.toString()));
            }
        }
    }

    // ---------------------------------------------------------------- random data

    private static final Map<String, List<String>> VOCABULARY = new LinkedHashMap<>();

    static {
        VOCABULARY.put("$ai_model", List.of("\"gpt-4o\"", "\"GPT-4o-mini\"", "\"claude-3-haiku\"", "\"Claude-3-Opus\"",
                "\"mistral-large\"", "\"Ärger-Modell\"", "\"ΣΟΦΙΑ\""));
        VOCABULARY.put("$ai_http_status", List.of("200", "429", "500", "\"200\"", "\"503\"", "200.0"));
        VOCABULARY.put("$ai_latency", List.of("0.25", "1", "2.5", "\"3\"", "\"1.5e1\"", "1e-05", "2.50"));
        VOCABULARY.put("$ai_input_tokens", List.of("0", "5", "20", "100", "250", "\"30\""));
        VOCABULARY.put("$ai_output_tokens", List.of("0", "5", "20", "100", "250"));
        VOCABULARY.put("$ai_total_cost_usd", List.of("0.001", "0.0125", "0.25", "1.0", "\"0.5\""));
        VOCABULARY.put("$ai_is_error", List.of("true", "false", "\"true\""));
        VOCABULARY.put("$ai_error", List.of("\"timeout\"", "\"\"", "null", "{\"code\": 500}"));
        VOCABULARY.put("tier", List.of("\"free\"", "\"Pro\"", "\"PRO\"", "\"pro plan\"", "\"Ünïcode Über\"", "true", "false",
                "null", "\"\"", "3"));
        VOCABULARY.put("score", List.of("-5", "0", "3", "\"12\"", "\"abc\"", "\"1.5\"", "\"-0\"", "\"007\"", "\"1e2\"", "\" 7\"",
                "2.50", "1.0", "-0.5", "12345678901234567890", "\"12345678901234567890\""));
        VOCABULARY.put("tags", List.of("[\"vip\", \"beta\"]", "[\"VIP\"]", "[]", "{\"a\": 1, \"b\": \"Vip\"}",
                "{\"nested\": {\"deep\": [\"x\", 42, null, true]}}", "\"vip\"", "[[\"a\"], 2.5]", "{}"));
        VOCABULARY.put("$ai_trace_name", List.of("\"Checkout\"", "\"checkout flow\"", "\"Search\\nquery\"", "\"naïve café\"",
                "\"a.b\"", "\"x$\"", "\"12.5\""));
    }

    private static final List<String> EVENT_NAMES = List.of("$ai_trace", "$ai_span", "$ai_generation", "$ai_generation",
            "$ai_embedding", "$ai_metric");

    private static void insertEvents(Random random) throws SQLException {
        Instant base = Instant.parse("2025-03-01T12:00:00Z");
        try (PreparedStatement insert = jdbc.prepareStatement("INSERT INTO events (project_id, uuid, event, distinct_id, trace_id,"
                + " \"timestamp\", received_at, properties) VALUES ('p', ?, ?, ?, ?, ?, ?, ?::jsonb)")) {
            int uuid = 0;
            for (int t = 0; t < TRACES; t++) {
                String traceId = String.format("tr-%03d", t);
                for (int k = 1 + random.nextInt(6); k > 0; k--) {
                    StringBuilder props = new StringBuilder("{\"$ai_trace_id\": \"" + traceId + "\"");
                    for (Map.Entry<String, List<String>> key : VOCABULARY.entrySet()) {
                        if (random.nextInt(100) < 35) {
                            List<String> values = key.getValue();
                            props.append(", \"").append(key.getKey()).append("\": ").append(values.get(random.nextInt(values.size())));
                        }
                    }
                    props.append('}');
                    Instant received = base.plusSeconds(t);
                    insert.setString(1, "ev-" + uuid++);
                    insert.setString(2, EVENT_NAMES.get(random.nextInt(EVENT_NAMES.size())));
                    insert.setString(3, random.nextInt(5) == 0 ? null : "user-" + random.nextInt(4));
                    insert.setString(4, traceId);
                    insert.setObject(5, random.nextInt(10) == 0 ? null
                            : OffsetDateTime.ofInstant(received.plusMillis(random.nextInt(600_000)), ZoneOffset.UTC));
                    insert.setObject(6, OffsetDateTime.ofInstant(received, ZoneOffset.UTC));
                    insert.setString(7, props.toString());
                    insert.addBatch();
                }
            }
            insert.executeBatch();
        }
    }

    private static List<AssembledTrace> readBackAndAssemble() throws Exception {
        Map<String, List<TraceEvent>> byTrace = new LinkedHashMap<>();
        try (Statement s = jdbc.createStatement(); ResultSet r = s.executeQuery("SELECT trace_id, uuid, event, distinct_id,"
                + " \"timestamp\", received_at, properties::text FROM events WHERE project_id = 'p' ORDER BY trace_id, uuid")) {
            while (r.next()) {
                OffsetDateTime ts = r.getObject(5, OffsetDateTime.class);
                byTrace.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(new TraceEvent(r.getString(2), r.getString(3),
                        r.getString(4), ts == null ? null : ts.toInstant(), r.getObject(6, OffsetDateTime.class).toInstant(),
                        (ObjectNode) TestTraces.MAPPER.readTree(r.getString(7))));
            }
        }
        return byTrace.entrySet().stream().map(e -> TraceAssembler.assemble(e.getKey(), e.getValue())).toList();
    }

    /** Relevance scores by trace, as dispatch receives them; a third of the traces has none (read as 1 on both sides). */
    private static final Map<String, Map<String, Double>> RELEVANCE = new java.util.HashMap<>();
    private static final List<Double> SCORES = List.of(0.0, 0.05, 0.3, 0.3001, 0.5, 0.99, 1.0);

    /**
     * The trace_relevance rows as relevance scoring writes them, for version 1 (the traces' current version), plus a
     * row for a version 2 that no trace has yet, which SQL must not read.
     */
    private static void insertRelevance(List<AssembledTrace> assembled) throws SQLException {
        try (PreparedStatement insert = jdbc.prepareStatement("INSERT INTO trace_relevance (project_id, trace_id, trace_version, theme_id, score)"
                + " VALUES ('p', ?, ?, ?, ?)")) {
            int i = 0;
            for (AssembledTrace t : assembled) {
                if (i++ % 3 == 0) {
                    continue;
                }
                Map<String, Double> scores = new java.util.HashMap<>();
                scores.put("ux_issues", SCORES.get(i % SCORES.size()));
                if (i % 2 == 0) {
                    scores.put("feature_requests", SCORES.get((i / 2) % SCORES.size()));
                }
                RELEVANCE.put(t.traceId(), scores);
                for (Map.Entry<String, Double> e : scores.entrySet()) {
                    insert.setString(1, t.traceId());
                    insert.setInt(2, 1);
                    insert.setString(3, e.getKey());
                    insert.setDouble(4, e.getValue());
                    insert.addBatch();
                }
                insert.setString(1, t.traceId());
                insert.setInt(2, 2);
                insert.setString(3, "ux_issues");
                insert.setDouble(4, 0.77);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** The traces rows as trace completion writes them: the aggregates of the assembled trace. */
    private static void insertTraces(List<AssembledTrace> assembled) throws SQLException {
        try (PreparedStatement insert = jdbc.prepareStatement("INSERT INTO traces (project_id, trace_id, status, first_seen,"
                + " last_seen, name, event_count, tree_depth, latency_seconds, input_tokens, output_tokens, cost_usd,"
                + " error_count, models, distinct_users) VALUES ('p', ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AssembledTrace t : assembled) {
                TraceAggregates a = t.aggregates();
                Instant first = t.events().stream().map(TraceEvent::effectiveTime).min(Comparator.naturalOrder()).orElseThrow();
                Instant last = t.events().stream().map(TraceEvent::effectiveTime).max(Comparator.naturalOrder()).orElseThrow();
                insert.setString(1, t.traceId());
                insert.setTimestamp(2, Timestamp.from(first));
                insert.setTimestamp(3, Timestamp.from(last));
                insert.setString(4, t.name());
                insert.setInt(5, a.eventCount());
                insert.setInt(6, a.depth());
                insert.setObject(7, a.latencySeconds());
                insert.setLong(8, a.inputTokens());
                insert.setLong(9, a.outputTokens());
                insert.setDouble(10, a.costUsd());
                insert.setInt(11, a.errorCount());
                insert.setArray(12, jdbc.createArrayOf("text", a.models().toArray()));
                insert.setInt(13, a.distinctUsers());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    // ---------------------------------------------------------------- random filters

    private static final List<Object> EXACT_VALUES = List.of("gpt-4o", "GPT-4o-mini", "claude-3-haiku", "Pro", "pro", "PRO", "",
            "free", "vip", "VIP", "beta", "x", "Vip", 200, 429, "200", "429", 2.5, "2.5", 1, "1", 0.25, 3, 12, "12", "-0", 0, "0",
            true, false, "true", "false", 42, "42", "$ai_generation", "$ai_trace", "$ai_span", "timeout", "Checkout",
            "naïve café", "Ärger-Modell", 0.00001, "0.00001", new BigInteger("12345678901234567890"), "007", -0.5, 15, "Search\nquery");
    private static final List<Object> CONTAINS_VALUES = List.of("gpt", "GPT-4", "claude", "ü", "ÜBER", "pro", "VIP", "1", "2",
            "TRUE", "rue", "ai_gen", "é", "CAFÉ", "\n", "0", ".", "σοφια", "modell", 5, true, "-", "e", "$");
    static final List<String> REGEXES = List.of("^gpt", "(?i)^gpt-4o", "4o$", "^[0-9]+$", "^2\\d\\d$", "pro|free", "\\.",
            "[A-Z]", "(?i)vip", "é", "^-?\\d+(\\.\\d+)?$", "0{2,}", "^.{3,5}$", "(?i)über", "^\\$ai_(span|generation)$", "a.b",
            "\\s", "^[^a-z]+$", "e$", ".*error.*", "^.*o$", "(?i)^(claude|mistral)-", "x\\$", "^$", "y\\nq", "(?i)^(true|false)$",
            "^\\d{1,2}$", "[^\\x20-\\x7e]".replace("\\x20-\\x7e", " -~"), "\\d\\.\\d*5");
    private static final List<Object> NUMBERS = List.of(0, 1, 2.5, 12, 199, 200, 429, "1e2", "-1", 0.001, 100, 1.5, -0.5, "0.25",
            3, "12345678901234567889", 0.00001, -0.0, "7");
    private static final Map<String, List<Object>> TRACE_VALUES = Map.of(
            "trace.latency", List.of(0, 0.5, 1, 2.5, 3, 15, 60, 300, "0.00001"),
            "trace.cost_usd", List.of(0, 0.001, 0.0125, 0.25, 0.5, 1, 1.001, "0.2625"),
            "trace.error_count", List.of(0, 1, 2, 3),
            "trace.event_count", List.of(1, 2, 3, 4, 6),
            "trace.tokens", List.of(0, 5, 20, 100, 105, 250, 500, 1000),
            "trace.relevance.ux_issues", List.of(0, 0.05, 0.3, "0.3001", 0.5, 0.77, 0.99, 1),
            "trace.relevance.feature_requests", List.of(0, 0.3, 0.5, 1, "0.99"));

    private static PropertyFilter randomFilter(Random random) {
        FilterOperator[] operators = FilterOperator.values();
        if (random.nextInt(4) == 0) {
            List<String> keys = List.copyOf(new TreeSet<>(TRACE_VALUES.keySet()));
            String key = keys.get(random.nextInt(keys.size()));
            FilterOperator op;
            do {
                op = operators[random.nextInt(operators.length)];
            } while (op.positive() == FilterOperator.ICONTAINS || op.positive() == FilterOperator.REGEX);
            List<Object> pool = TRACE_VALUES.get(key);
            Object value = !op.takesValue() ? null
                    : op.acceptsList() && random.nextInt(3) == 0 ? List.of(pick(random, pool), pick(random, pool))
                    : pick(random, pool);
            return PropertyFilter.trace(key, op.wire(), value);
        }
        List<String> keys = new ArrayList<>(VOCABULARY.keySet());
        keys.add("event");
        keys.add("missing");
        String key = keys.get(random.nextInt(keys.size()));
        FilterOperator op = operators[random.nextInt(operators.length)];
        // Half the values come from the key's own vocabulary, so that filters hit the edge cases stored under it.
        List<Object> own = OWN_VALUES.getOrDefault(key, List.of());
        boolean fromOwn = !own.isEmpty() && random.nextBoolean();
        Object value = switch (op.positive()) {
            case EXACT -> {
                List<Object> pool = fromOwn ? own : EXACT_VALUES;
                yield random.nextInt(3) == 0 ? List.of(pick(random, pool), pick(random, pool), pick(random, EXACT_VALUES))
                        : pick(random, pool);
            }
            case ICONTAINS -> fromOwn ? substring(random, PropertyValues.text(TestTraces.MAPPER.valueToTree(pick(random, own))))
                    : pick(random, CONTAINS_VALUES);
            case REGEX -> fromOwn ? regexFor(random, PropertyValues.text(TestTraces.MAPPER.valueToTree(pick(random, own))))
                    : REGEXES.get(random.nextInt(REGEXES.size()));
            case GT, GTE, LT, LTE -> {
                Object v = fromOwn ? pick(random, own) : null;
                yield v != null && PropertyValues.number(TestTraces.MAPPER.valueToTree(v)) != null ? v : pick(random, NUMBERS);
            }
            default -> random.nextBoolean() ? null : op.wire();
        };
        return PropertyFilter.event(key, op.wire(), value);
    }

    /** A random non-empty piece of a value's text, with its case sometimes flipped. */
    private static Object substring(Random random, String text) {
        if (text == null || text.isEmpty()) {
            return "a";
        }
        int from = random.nextInt(text.length());
        String piece = text.substring(from, from + 1 + random.nextInt(text.length() - from));
        return random.nextBoolean() ? piece.toUpperCase(java.util.Locale.ROOT) : piece;
    }

    /** A regex for a piece of a value's text: escaped, sometimes anchored, case-flipped or case-insensitive. */
    private static String regexFor(Random random, String text) {
        if (text == null || text.isEmpty()) {
            return "^$";
        }
        int from = random.nextInt(text.length());
        int to = from + 1 + random.nextInt(text.length() - from);
        String piece = text.substring(from, to);
        if (random.nextBoolean()) {
            piece = random.nextBoolean() ? piece.toUpperCase(java.util.Locale.ROOT) : piece.toLowerCase(java.util.Locale.ROOT);
        }
        StringBuilder p = new StringBuilder(random.nextBoolean() ? "(?i)" : "");
        if (from == 0 && random.nextBoolean()) {
            p.append('^');
        }
        for (char c : piece.toCharArray()) {
            p.append(c == '\n' ? "\\n" : c < 128 && !Character.isLetterOrDigit(c) && c != ' ' ? "\\" + c : String.valueOf(c));
        }
        if (to == text.length() && random.nextBoolean()) {
            p.append('$');
        }
        return p.toString();
    }

    /**
     * Per key, the scalars stored under it as filter values: the JSON value itself (2.50 stays a JSON number), its
     * JSON spelling as a string ("2.50", which must not equal the stored 2.50) and its canonical text ("2.5").
     */
    private static final Map<String, List<Object>> OWN_VALUES = new LinkedHashMap<>();

    static {
        VOCABULARY.forEach((key, jsons) -> {
            List<Object> values = new ArrayList<>();
            for (String json : jsons) {
                try {
                    JsonNode node = TestTraces.MAPPER.readTree(json);
                    for (JsonNode scalar : PropertyValues.scalars(node)) {
                        values.add(scalar);
                        values.add(PropertyValues.text(scalar));
                        if (node.isNumber()) {
                            values.add(json);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(json, e);
                }
            }
            OWN_VALUES.put(key, values);
        });
        OWN_VALUES.put("event", new ArrayList<>(EVENT_NAMES));
    }

    private static Object pick(Random random, List<Object> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** A random pattern from atoms and quantifiers of the common subset. */
}
