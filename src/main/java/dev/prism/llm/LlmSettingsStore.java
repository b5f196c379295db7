package dev.prism.llm;

import dev.prism.bus.LlmSettings;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code llm_settings} table and the spend figures budgets are checked against (since midnight UTC). */
final class LlmSettingsStore {

    /** A project's own choices; each null when it has none. */
    record ProjectLlm(String provider, String model, Double dailyBudgetUsd) {
        static final ProjectLlm NONE = new ProjectLlm(null, null, null);
    }

    private static final String TODAY = "date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'";

    private final Pool pool;

    LlmSettingsStore(Pool pool) {
        this.pool = pool;
    }

    Future<Map<String, ProjectLlm>> all() {
        return pool.query("SELECT project_id, provider, model, daily_budget_usd FROM llm_settings").execute().map(rows -> {
            Map<String, ProjectLlm> out = new HashMap<>();
            rows.forEach(r -> out.put(r.getString(0), new ProjectLlm(r.getString(1), r.getString(2), r.getDouble(3))));
            return out;
        });
    }

    Future<Void> put(String projectId, ProjectLlm s) {
        return pool.preparedQuery("""
                        INSERT INTO llm_settings (project_id, provider, model, daily_budget_usd) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (project_id) DO UPDATE SET provider = $2, model = $3, daily_budget_usd = $4, updated_at = now()""")
                .execute(Tuple.of(projectId, s.provider(), s.model(), s.dailyBudgetUsd())).mapEmpty();
    }

    /**
     * Budgets, with today's spend, of the projects that have their own or have analyses waiting under
     * {@code defaultBudget}.
     */
    Future<Map<String, BudgetGuard.Budget>> budgets(Double defaultBudget) {
        return pool.preparedQuery("""
                        SELECT q.project_id, coalesce(s.daily_budget_usd, $1::float8),
                               (SELECT coalesce(sum(a.cost_usd), 0) FROM analyses a WHERE a.project_id = q.project_id
                                AND a.status = 'done' AND a.completed_at >=\s""" + TODAY + ") + " + """
                               (SELECT coalesce(sum(c.cost_usd), 0) FROM llm_calls c WHERE c.project_id = q.project_id
                                AND c.created_at >=\s""" + TODAY + """
                        )
                        FROM (SELECT DISTINCT project_id FROM analyses WHERE status IN ('queued', 'running')
                              UNION SELECT project_id FROM llm_settings WHERE daily_budget_usd IS NOT NULL) q
                        LEFT JOIN llm_settings s ON s.project_id = q.project_id
                        WHERE coalesce(s.daily_budget_usd, $1::float8) IS NOT NULL""")
                .execute(Tuple.of(defaultBudget)).map(rows -> {
                    Map<String, BudgetGuard.Budget> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0), new BudgetGuard.Budget(r.getDouble(1), r.getDouble(2))));
                    return out;
                });
    }

    /**
     * Themes' own budgets ({@code themes.llm.daily_budget_usd}), keyed by {@link BudgetGuard#themeKey}, with what each
     * theme's analyses cost today.
     */
    Future<Map<String, BudgetGuard.Budget>> themeBudgets() {
        return pool.query("""
                        SELECT t.project_id, t.theme_id, (t.llm->>'daily_budget_usd')::float8,
                               (SELECT coalesce(sum(a.cost_usd), 0) FROM analyses a WHERE a.project_id = t.project_id
                                AND a.theme_id = t.theme_id AND a.status = 'done' AND a.completed_at >=\s""" + TODAY + """
                        )
                        FROM themes t WHERE jsonb_typeof(t.llm->'daily_budget_usd') = 'number'""")
                .execute().map(rows -> {
                    Map<String, BudgetGuard.Budget> out = new HashMap<>();
                    rows.forEach(r -> out.put(BudgetGuard.themeKey(r.getString(0), r.getString(1)),
                            new BudgetGuard.Budget(r.getDouble(2), r.getDouble(3))));
                    return out;
                });
    }

    /** Records a paid call that is not an analysis (a cluster's name), so today's spend counts it. */
    Future<Void> recordCall(String projectId, String purpose, String provider, String model, dev.prism.pricing.Pricing.Usage usage,
                            double costUsd) {
        return pool.preparedQuery("""
                        INSERT INTO llm_calls (project_id, purpose, provider, model, input_tokens, output_tokens, cost_usd,
                                               cache_read_tokens, cache_write_tokens)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                .execute(Tuple.tuple().addString(projectId).addString(purpose).addString(provider).addString(model)
                        .addLong(usage.inputTokens()).addLong(usage.outputTokens()).addDouble(costUsd)
                        .addLong(usage.cacheReadTokens()).addLong(usage.cacheWriteTokens())).mapEmpty();
    }

    /** Today's cost of the project's calls that are not analyses. */
    Future<Double> otherSpendToday(String projectId) {
        return pool.preparedQuery("SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE project_id = $1 AND created_at >= " + TODAY)
                .execute(Tuple.of(projectId)).map(rows -> rows.iterator().next().getDouble(0));
    }

    /**
     * Finished analyses per theme of the project, with today's cost. A trace counts once, by the summary that counts
     * (not superseded by a later version); tokens and cost count every call: money spent stays spent.
     */
    Future<List<LlmSettings.ThemeSpend>> spend(String projectId) {
        return pool.preparedQuery("""
                        SELECT theme_id, count(*) FILTER (WHERE superseded_by_version IS NULL),
                               count(*) FILTER (WHERE theme_relevant AND superseded_by_version IS NULL), coalesce(sum(input_tokens), 0)::bigint,
                               coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(cost_usd), 0),
                               coalesce(sum(cost_usd) FILTER (WHERE completed_at >=\s""" + TODAY + "), 0) " + """
                        FROM analyses WHERE project_id = $1 AND status = 'done' GROUP BY theme_id ORDER BY theme_id""")
                .execute(Tuple.of(projectId)).map(rows -> {
                    List<LlmSettings.ThemeSpend> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new LlmSettings.ThemeSpend(r.getString(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
                                r.getDouble(5), r.getDouble(6)));
                    }
                    return out;
                });
    }
}
