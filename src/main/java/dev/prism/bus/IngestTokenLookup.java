package dev.prism.bus;

/** Which project does this ingestion token belong to? */
public record IngestTokenLookup(String token) {
    @Override
    public String toString() {
        return "IngestTokenLookup[<redacted>]";
    }
}
