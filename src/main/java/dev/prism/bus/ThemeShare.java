package dev.prism.bus;

import java.time.Instant;

/**
 * How many of the traces a theme analysed were relevant to it, in the windows the {@code share_changed} alert trigger
 * compares: the 24 hours before {@code now} and the 24 before those, the 7 days before {@code now} and the 7 before
 * those. A trace counts once (its latest finished analysis for the theme), on the day it completed. Replies
 * {@link Counts}.
 */
public record ThemeShare(String projectId, String themeId, Instant now) {

    /** @param analysed traces with a finished analysis for the theme; @param relevant those of them relevant to it */
    public record Window(long relevant, long analysed) {
    }

    public record Counts(Window day, Window previousDay, Window week, Window previousWeek) {
    }
}
