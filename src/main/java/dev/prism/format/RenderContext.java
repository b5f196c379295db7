package dev.prism.format;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one rendering of a trace remembers as it goes: agents resend the whole history and the same tool list with
 * every call, and tool results name only the call they answer.
 */
final class RenderContext {

    /** 64-bit hashes of the rendered messages already written, to fold a repeated history into one line. */
    final Set<Long> shownMessages = new HashSet<>();
    /** Tool lists already written, keyed by their rendering. */
    final Set<String> shownTools = new HashSet<>();
    /** Tool name by call id, so a result can say which tool answered. */
    final Map<String, String> toolNames = new HashMap<>();
}
