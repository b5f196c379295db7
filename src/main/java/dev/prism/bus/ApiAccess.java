package dev.prism.bus;

/**
 * May the holder of this API key do {@code scope} on this project?
 *
 * @param projectId null: any project the key covers (WebSocket authentication checks the key itself)
 * @param client    the caller's address, so repeated failures from one address can be slowed down; null: not limited
 */
public record ApiAccess(String apiKey, String projectId, KeyScope scope, String client) {

    /** Reading, from an unnamed client: what a WebSocket connection asks. */
    public ApiAccess(String apiKey, String projectId) {
        this(apiKey, projectId, KeyScope.READ, null);
    }

    @Override
    public String toString() {
        return "ApiAccess[<redacted>, " + projectId + ", " + scope + "]";
    }
}
