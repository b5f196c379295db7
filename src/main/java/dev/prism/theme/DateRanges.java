package dev.prism.theme;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Theme date bounds: ISO-8601 instants or PostHog-style relative times ({@code -7d}, {@code -12h}, {@code -30m}). */
final class DateRanges {

    private static final Pattern RELATIVE = Pattern.compile("^-(\\d{1,5})([mhdw])$");

    private DateRanges() {
    }

    static boolean valid(String value) {
        return resolve(value, Instant.EPOCH) != null;
    }

    /** The instant a bound names, relative to {@code now}; null when it is not a valid bound. */
    static Instant resolve(String value, Instant now) {
        Matcher m = RELATIVE.matcher(value.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return now.minus(d);
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
