package dev.prism.theme;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RegexLiteralsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<String> literals(String regex) {
        return RegexLiterals.of(regex).map(RegexLiterals.Required::literals).orElse(null);
    }

    @Test
    @DisplayName("alternations, groups and optional parts give the literals every match contains")
    void extractsLiterals() {
        assertThat(literals("^gpt")).containsExactly("gpt");
        assertThat(literals("(?i)^GPT-4o$")).containsExactly("gpt-4o");
        assertThat(literals("(?i)(i wish|would be (great|nice))")).containsExactlyInAnyOrder("i wish", "would be ");
        assertThat(literals("still (not|doesn)")).containsExactly("still ");
        assertThat(literals("ab(cd|ef)")).containsExactlyInAnyOrder("abcd", "abef");
        assertThat(literals("can you (also )?send")).containsExactly("can you ");
        assertThat(literals("a(b|c)d")).containsExactlyInAnyOrder("abd", "acd");
        assertThat(literals("\\?\\?|!!")).containsExactlyInAnyOrder("??", "!!");
        assertThat(literals("err\\d+ timeout")).containsExactly(" timeout");
        assertThat(literals("(ab)+c")).containsExactly("ab");
        assertThat(literals("x(ab){2,3}")).containsExactly("ab");
        assertThat(literals("100%_done")).containsExactly("100%_done");
    }

    @Test
    @DisplayName("no condition where a match may contain no literal, or one JSON would escape, or one only Unicode folding finds")
    void givesUpWhenUnsure() {
        assertThat(literals("\\d+")).isNull();
        assertThat(literals("a|\\d")).isNull();
        assertThat(literals("(a|)")).isNull();
        assertThat(literals("a*")).isNull();
        assertThat(literals("say \"hi\"")).isNull();
        assertThat(literals("line\\nbreak")).isNull();
        assertThat(literals("(?i)ärger")).isNull();
        assertThat(literals("ärger")).containsExactly("ärger");
    }

    @Test
    @DisplayName("the built-in themes' user-text regexes all get a literal condition")
    void builtInRegexesHaveLiterals() {
        for (BuiltInThemes.Definition d : BuiltInThemes.ALL) {
            d.themeFilters().findValues("value").stream()
                    .filter(v -> v.isTextual() && v.asText().startsWith("(?i)"))
                    .forEach(v -> assertThat(RegexLiterals.of(v.asText())).as(d.themeId()).isPresent());
        }
    }

    @Test
    @DisplayName("sound on 20,000 random regexes and strings: whenever the regex matches, a literal is in the value's JSON text")
    void neverMissesAMatch() throws Exception {
        Random random = new Random(42);
        String alphabet = "abcABCé.É$-{|\\\" \n_%x1";
        int checked = 0;
        for (int n = 0; n < 20_000; n++) {
            String source = RandomRegex.next(random);
            SafeRegex regex = SafeRegex.of(source);
            Optional<RegexLiterals.Required> required = RegexLiterals.of(source);
            if (required.isEmpty()) {
                continue;
            }
            for (int k = 0; k < 20; k++) {
                StringBuilder text = new StringBuilder();
                for (int len = random.nextInt(12); len > 0; len--) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                if (random.nextBoolean()) {
                    text.append(required.get().literals().get(random.nextInt(required.get().literals().size())));
                }
                Matcher m = regex.pattern().matcher(text);
                if (!m.find()) {
                    continue;
                }
                checked++;
                // What SQL tests: the value's text, here a string inside an array, as PostgreSQL prints JSON.
                String json = MAPPER.writeValueAsString(List.of(text.toString()));
                String haystack = required.get().caseInsensitive() ? CaseFold.ascii(json) : json;
                assertThat(required.get().literals()).as("%s on %s", source, json).anyMatch(haystack::contains);
            }
        }
        assertThat(checked).isGreaterThan(10_000);
    }
}
