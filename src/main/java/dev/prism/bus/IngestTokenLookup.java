package dev.prism.bus;

/**
 * Which project does this ingestion token (or ingest-scoped API key) belong to?
 *
 * @param client the caller's address, so repeated failures from one address can be slowed down; null: not limited
 */
public record IngestTokenLookup(String token, String client) {

    public IngestTokenLookup(String token) {
        this(token, null);
    }

    @Override
    public String toString() {
        return "IngestTokenLookup[<redacted>]";
    }
}
