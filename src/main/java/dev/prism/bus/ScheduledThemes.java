package dev.prism.bus;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** Enabled themes of every project whose schedule is not manual: what the run scheduler considers. */
public final class ScheduledThemes {

    private ScheduledThemes() {
    }

    public record Query() {
    }

    public record Entry(String projectId, String themeId, JsonNode schedule) {
    }

    public record Result(List<Entry> themes) {
    }
}
