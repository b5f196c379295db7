package dev.prism.text;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MaskingTest {

    @Test
    @DisplayName("API keys, bearer tokens and labelled secrets are masked")
    void keys() {
        assertThat(Masking.mask("Incorrect API key provided: sk-proj-abcDEF1234567890xyzXYZ. Find yours at the dashboard"))
                .isEqualTo("Incorrect API key provided: <key>. Find yours at the dashboard");
        assertThat(Masking.mask("key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY failed")).isEqualTo("key=<key> failed");
        assertThat(Masking.mask("Authorization: Bearer ya29.a0AfH6SMBx")).isEqualTo("Authorization: Bearer <key>");
        assertThat(Masking.mask("sk-ant-api03-Zx9QwErTyUiOp1234 rejected")).isEqualTo("<key> rejected");
        assertThat(Masking.mask("aws AKIAIOSFODNN7EXAMPLE denied")).isEqualTo("aws <key> denied");
    }

    @Test
    @DisplayName("e-mails, URL query strings, UUIDs, hex tokens, opaque ids and numbers become placeholders")
    void identifiers() {
        assertThat(Masking.mask("mail dana.k@example.org about it")).isEqualTo("mail <email> about it");
        assertThat(Masking.mask("GET https://api.example.com/v1/items?user=42&sig=abc failed"))
                .isEqualTo("GET https://api.example.com/v1/items?<query> failed");
        assertThat(Masking.mask("trace 3f2b8c1e-9a7d-4e2f-8b1a-0c9d8e7f6a5b lost")).isEqualTo("trace <uuid> lost");
        assertThat(Masking.mask("commit 9fceb02d0ae598e95dc970b74767f19372d61af8")).isEqualTo("commit <hex>");
        assertThat(Masking.mask("request_id req_011CQDU4RdPwh1YefziUrl in org-P7xk2")).isEqualTo("request_id <id> in <id>");
        assertThat(Masking.mask("took 41.7 s for 12,000 tokens")).isEqualTo("took <n> s for <n> tokens");
    }

    @Test
    @DisplayName("descriptive words with a digit survive: model-like names, encodings, versions")
    void wordsSurvive() {
        assertThat(Masking.mask("utf-8 decoding in v1beta with mp3 input")).isEqualTo("utf-8 decoding in v1beta with mp3 input");
        assertThat(Masking.mask("Provider rate limit")).isEqualTo("Provider rate limit");
        assertThat(Masking.mask("Tool failed: downstream server error (5xx)")).isEqualTo("Tool failed: downstream server error (5xx)");
    }

    @Test
    @DisplayName("personal names are masked where the wording introduces one, and only there")
    void names() {
        assertThat(Masking.mask("Hi, my name is Priya Raman and I need help")).isEqualTo("Hi, my name is <name> and I need help");
        assertThat(Masking.mask("Hello Marcus, your order shipped")).isEqualTo("Hello <name>, your order shipped");
        assertThat(Masking.mask("Thanks, Omar")).isEqualTo("Thanks, <name>");
        assertThat(Masking.mask("Hi there, the export fails")).isEqualTo("Hi there, the export fails");
        assertThat(Masking.mask("I am Sorry to ask again")).isEqualTo("I am Sorry to ask again");
        assertThat(Masking.mask("Export to Google Sheets")).isEqualTo("Export to Google Sheets");
    }

    @Test
    @DisplayName("null and empty texts pass through")
    void empty() {
        assertThat(Masking.mask(null)).isNull();
        assertThat(Masking.mask("")).isEmpty();
    }
}
