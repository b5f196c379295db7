package dev.prism.cluster;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MinimumClusterRuleTest {

    @Test
    @DisplayName("clusters too small or from too few users go to Other; the rest are renumbered in order")
    void rule() {
        int[] labels = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, -1};
        List<String> users = Arrays.asList(
                "a", "b", "a", "b", "a",      // cluster 0: 5 members, 2 users -> kept
                "a", "a", "a", "a", "a",      // cluster 1: 5 members, 1 user -> Other
                "a", "b", "c", "d",           // cluster 2: 4 members -> Other
                "c", "d", "e", "c", "d",      // cluster 3: kept as 1
                "z");
        MinimumClusterRule.Outcome out = MinimumClusterRule.apply(labels, users, 5, 2);

        assertThat(out.labels()).containsExactly(0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 1, 1, 1, 1, -1);
        assertThat(out.kept()).containsExactly(0, 3);
        assertThat(out.demoted()).containsExactly(1, 2);
        assertThat(out.clusters()).isEqualTo(2);
    }

    @Test
    @DisplayName("members without a user id count together as one unknown user")
    void missingUsers() {
        int[] labels = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
        List<String> users = Arrays.asList(null, null, " ", null, null, null, null, null, null, "known");

        MinimumClusterRule.Outcome out = MinimumClusterRule.apply(labels, users, 5, 2);

        assertThat(out.kept()).as("all-anonymous cluster has one user; anonymous + known has two").containsExactly(1);
        assertThat(MinimumClusterRule.apply(labels, users, 5, 1).kept()).containsExactly(0, 1);
    }
}
