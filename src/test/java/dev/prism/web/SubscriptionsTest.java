package dev.prism.web;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A WebSocket client's subscriptions")
class SubscriptionsTest {

    @Test
    @DisplayName("match nothing until the client subscribes")
    void empty() {
        Subscriptions subs = new Subscriptions(10);
        assertThat(subs.matches("default", "error_analysis")).isFalse();
        assertThat(subs.matches("default", null)).isFalse();
        assertThat(subs.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("to some themes match those themes of that project, and events of the whole project")
    void someThemes() {
        Subscriptions subs = new Subscriptions(10);
        assertThat(subs.subscribe("default", List.of("error_analysis", "ux_issues"))).isTrue();
        assertThat(subs.matches("default", "error_analysis")).isTrue();
        assertThat(subs.matches("default", "ux_issues")).isTrue();
        assertThat(subs.matches("default", "feature_requests")).isFalse();
        assertThat(subs.matches("other", "error_analysis")).isFalse();
        assertThat(subs.matches("default", null)).isTrue();
        assertThat(subs.view("default")).isEqualTo(new Subscriptions.View("default", false, List.of("error_analysis", "ux_issues"), List.of()));
        assertThat(subs.entries()).isEqualTo(3);
    }

    @Test
    @DisplayName("to every theme match any theme but those unsubscribed since")
    void allThemes() {
        Subscriptions subs = new Subscriptions(10);
        subs.subscribe("default", List.of("ux_issues"));
        subs.subscribe("default", null);
        assertThat(subs.matches("default", "anything")).isTrue();
        subs.unsubscribe("default", List.of("success_patterns"));
        assertThat(subs.matches("default", "success_patterns")).isFalse();
        assertThat(subs.matches("default", "ux_issues")).isTrue();
        assertThat(subs.view("default")).isEqualTo(new Subscriptions.View("default", true, List.of(), List.of("success_patterns")));
        subs.subscribe("default", List.of("success_patterns"));
        assertThat(subs.matches("default", "success_patterns")).isTrue();
        assertThat(subs.entries()).isEqualTo(1);
    }

    @Test
    @DisplayName("lose a project when its last theme or the whole project is unsubscribed")
    void unsubscribe() {
        Subscriptions subs = new Subscriptions(10);
        subs.subscribe("default", List.of("a", "b"));
        subs.subscribe("other", null);
        subs.unsubscribe("default", List.of("a"));
        assertThat(subs.matches("default", "a")).isFalse();
        assertThat(subs.matches("default", "b")).isTrue();
        subs.unsubscribe("default", List.of("b"));
        assertThat(subs.matches("default", null)).as("nothing left of the project").isFalse();
        subs.unsubscribe("other", null);
        assertThat(subs.isEmpty()).isTrue();
        assertThat(subs.entries()).isZero();
        assertThat(subs.unsubscribe("never", List.of("x"))).isTrue();
    }

    @Test
    @DisplayName("refuse, changing nothing, what would exceed the bound; names already held do not count twice")
    void bounded() {
        Subscriptions subs = new Subscriptions(4);
        assertThat(subs.subscribe("p", List.of("a", "b", "c"))).isTrue();
        assertThat(subs.subscribe("p", List.of("a", "b", "c"))).isTrue();
        assertThat(subs.entries()).isEqualTo(4);
        assertThat(subs.subscribe("p", List.of("d"))).isFalse();
        assertThat(subs.subscribe("q", null)).isFalse();
        assertThat(subs.matches("p", "d")).isFalse();
        assertThat(subs.matches("q", "a")).isFalse();
        assertThat(subs.subscribe("p", null)).as("a whole project replaces its names").isTrue();
        assertThat(subs.entries()).isEqualTo(1);
        assertThat(subs.unsubscribe("p", List.of("a", "b", "c"))).isTrue();
        assertThat(subs.unsubscribe("p", List.of("d"))).as("exclusions count too").isFalse();
        assertThat(subs.matches("p", "d")).isTrue();
    }
}
