package dev.prism.eval;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitTest {

    @Test
    @DisplayName("Odd phrase numbers tune, even ones evaluate, whatever the prefix")
    void byNumber() {
        assertThat(Split.of("export_spreadsheet-01")).isEqualTo(Split.TUNE);
        assertThat(Split.of("export_spreadsheet-02")).isEqualTo(Split.EVAL);
        assertThat(Split.of("rate_limit-10")).isEqualTo(Split.EVAL);
        assertThat(Split.of("a-b-31")).isEqualTo(Split.TUNE);
    }

    @Test
    @DisplayName("An id without a trailing number is a data error, named in the message")
    void rejectsIdsWithoutNumber() {
        assertThatThrownBy(() -> Split.of("thanks")).hasMessageContaining("thanks");
        assertThatThrownBy(() -> Split.of("thanks-x")).hasMessageContaining("thanks-x");
        assertThatThrownBy(() -> Split.parse("train")).hasMessageContaining("eval or tune");
    }
}
