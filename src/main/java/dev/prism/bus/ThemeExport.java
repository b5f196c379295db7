package dev.prism.bus;

/**
 * One theme's clustering results as a file, made by the export feature on {@value Addresses#EXPORT_THEME}. Fails with
 * 400 (unknown format) and 404 (unknown theme).
 *
 * @param format   {@code md}, {@code ipynb}, {@code csv} or {@code json}
 * @param linkBase where trace and cluster links point: the dashboard's public URL, or null for paths relative to it
 */
public record ThemeExport(String projectId, String themeId, String format, String linkBase) {

    /**
     * @param filename    for {@code Content-Disposition}: letters, digits, dots, dashes and underscores only
     * @param contentType with its charset
     */
    public record File(String filename, String contentType, byte[] body) {
    }
}
