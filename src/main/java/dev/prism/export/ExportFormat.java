package dev.prism.export;

import java.util.Locale;
import java.util.Optional;

/** The formats a theme exports to, with the file extension and media type each is served as. */
public enum ExportFormat {
    MD("md", "text/markdown; charset=utf-8"),
    IPYNB("ipynb", "application/x-ipynb+json; charset=utf-8"),
    CSV("csv", "text/csv; charset=utf-8"),
    JSON("json", "application/json; charset=utf-8");

    public final String extension;
    public final String contentType;

    ExportFormat(String extension, String contentType) {
        this.extension = extension;
        this.contentType = contentType;
    }

    public static Optional<ExportFormat> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (ExportFormat f : values()) {
            if (f.extension.equals(t)) {
                return Optional.of(f);
            }
        }
        return t.equals("markdown") ? Optional.of(MD) : Optional.empty();
    }
}
