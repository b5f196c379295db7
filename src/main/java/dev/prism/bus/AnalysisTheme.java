package dev.prism.bus;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * An analysis theme (DESIGN.md §3). Filters, date range, clustering settings and schedule travel as their JSON
 * (PostHog's property-filter shape for filters); the theme feature parses and validates them.
 *
 * @param prompt        the current prompt template
 * @param promptVersion bumped on every prompt change; results record the version they were made with
 * @param llm           {@code {"provider", "model"}} overriding the project's choice for this theme; either may be absent
 */
public record AnalysisTheme(String projectId, String themeId, String name, String description, JsonNode baseFilters,
                            JsonNode themeFilters, double sampleRate, String sampleSeed, String prompt, int promptVersion,
                            JsonNode dateRange, JsonNode clusteringConfig, JsonNode schedule, boolean enabled, boolean builtIn,
                            JsonNode llm, Instant createdAt, Instant updatedAt) {
}
