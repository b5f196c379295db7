package dev.prism.web;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one WebSocket client listens to: per project, either some themes, or every theme but some. Bounded, because a
 * client chooses how many names it sends. Not thread-safe: it lives on the client's event loop.
 */
final class Subscriptions {

    /** The client's subscription to one project, as replies report it. */
    record View(String project, boolean allThemes, List<String> themes, List<String> except) {
    }

    private static final class Scope {
        boolean all;
        /** The themes listened to, or with {@code all} the themes left out. */
        final TreeSet<String> themes = new TreeSet<>();
    }

    private final int maxEntries;
    private final Map<String, Scope> byProject = new HashMap<>();
    private int entries;

    /** @param maxEntries projects plus theme names held, at most */
    Subscriptions(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * Adds themes of a project, or all of them ({@code themes} null).
     *
     * @return false, changing nothing, when the client would hold more than its bound
     */
    boolean subscribe(String project, Collection<String> themes) {
        Scope scope = byProject.get(project);
        if (themes == null) {
            if (scope == null) {
                if (entries + 1 > maxEntries) {
                    return false;
                }
                scope = new Scope();
                byProject.put(project, scope);
                entries++;
            } else {
                entries -= scope.themes.size();
            }
            scope.all = true;
            scope.themes.clear();
            return true;
        }
        if (themes.isEmpty()) {
            return true;
        }
        if (scope != null && scope.all) {
            entries -= removeAll(scope.themes, themes);
            return true;
        }
        Scope current = scope;
        int added = (current == null ? 1 : 0) + (int) themes.stream().distinct().filter(t -> current == null || !current.themes.contains(t)).count();
        if (entries + added > maxEntries) {
            return false;
        }
        byProject.computeIfAbsent(project, p -> new Scope()).themes.addAll(themes);
        entries += added;
        return true;
    }

    /**
     * Removes themes of a project, or the whole project ({@code themes} null).
     *
     * @return false, changing nothing, when leaving out these themes of an all-themes subscription would exceed the bound
     */
    boolean unsubscribe(String project, Collection<String> themes) {
        Scope scope = byProject.get(project);
        if (scope == null) {
            return true;
        }
        if (themes == null) {
            byProject.remove(project);
            entries -= 1 + scope.themes.size();
            return true;
        }
        if (scope.all) {
            long added = themes.stream().distinct().filter(t -> !scope.themes.contains(t)).count();
            if (entries + added > maxEntries) {
                return false;
            }
            scope.themes.addAll(themes);
            entries += (int) added;
            return true;
        }
        entries -= removeAll(scope.themes, themes);
        if (scope.themes.isEmpty()) {
            byProject.remove(project);
            entries--;
        }
        return true;
    }

    private static int removeAll(TreeSet<String> set, Collection<String> names) {
        int removed = 0;
        for (String n : names) {
            if (set.remove(n)) {
                removed++;
            }
        }
        return removed;
    }

    /** Does an event of this project and theme (null: of the whole project) reach the client? */
    boolean matches(String project, String theme) {
        Scope scope = byProject.get(project);
        if (scope == null) {
            return false;
        }
        if (theme == null) {
            return true;
        }
        return scope.all != scope.themes.contains(theme);
    }

    View view(String project) {
        Scope scope = byProject.get(project);
        if (scope == null) {
            return new View(project, false, List.of(), List.of());
        }
        return scope.all ? new View(project, true, List.of(), List.copyOf(scope.themes))
                : new View(project, false, List.copyOf(scope.themes), List.of());
    }

    boolean isEmpty() {
        return byProject.isEmpty();
    }

    /** Projects plus theme names held. */
    int entries() {
        return entries;
    }
}
