package dev.prism.bus;

/** May the holder of this API key read and change this project? */
public record ApiAccess(String apiKey, String projectId) {
    @Override
    public String toString() {
        return "ApiAccess[<redacted>, " + projectId + "]";
    }
}
