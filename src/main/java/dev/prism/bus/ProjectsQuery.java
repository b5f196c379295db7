package dev.prism.bus;

import java.time.Instant;

/**
 * Which projects an API key covers (every project for a key without one, else its own), answered by the project
 * feature on {@value Addresses#PROJECT_LIST} with {@link Projects}. The dashboard's project picker lists them.
 */
public record ProjectsQuery(String apiKey) {

    public record Project(String id, String name, Instant createdAt) {
    }

    public record Projects(java.util.List<Project> projects) {
    }

    @Override
    public String toString() {
        return "ProjectsQuery[<redacted>]";
    }
}
