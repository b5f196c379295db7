package dev.prism.theme;

import java.util.Random;

/** Random regexes inside {@link SafeRegex}'s subset, mixing every construct it accepts, for property tests. */
final class RandomRegex {

    private RandomRegex() {
    }

    static String next(Random random) {
        String[] atoms = {"a", "b", "A", "é", "É", ".", "\\d", "\\w", "\\s", "\\W", "[a-c]", "[^ab]", "(?:ab|c)", "(a|)", "x\\.",
                "[A-Z]", "\\-", "\\$", "[.$]", "(b*a)", "[\\d_]", "\\n", "\\{", "\\\\", "\\|"};
        String[] quantifiers = {"", "", "", "*", "+", "?", "{1,2}", "*?", "{2}", "{0,}", "+?"};
        StringBuilder p = new StringBuilder(random.nextInt(5) == 0 ? "(?i)" : "");
        if (random.nextInt(3) == 0) {
            p.append('^');
        }
        for (int k = 1 + random.nextInt(4); k > 0; k--) {
            p.append(atoms[random.nextInt(atoms.length)]).append(quantifiers[random.nextInt(quantifiers.length)]);
            if (random.nextInt(8) == 0) {
                p.append('|');
            }
        }
        if (random.nextInt(3) == 0) {
            p.append('$');
        }
        return p.toString();
    }
}
