package dev.prism.support;

import dev.prism.Main;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/** A Prism server ({@code serve}) in a JVM of its own, configured by {@code -Dprism.*} settings, to be killed like a crash. */
public final class PrismProcess {

    private PrismProcess() {
    }

    /** Starts {@code serve} with the settings; its output (the server's own INFO logging) goes to {@code log}. */
    public static ChildJvm start(Path log, Map<String, String> settings) throws IOException {
        // The server's own logging (INFO, with the "listening" line), not the tests' quieter one.
        List<String> props = new ArrayList<>(List.of("-Xmx512m", "-Dlogback.configurationFile=logback.xml"));
        settings.forEach((k, v) -> props.add("-Dprism." + k + "=" + v));
        return ChildJvm.start(log, Map.of(), props, Main.class.getName(), "serve");
    }

    /** The HTTP port from the server's "listening" line, printed once it started within {@code timeout}. */
    public static int awaitListening(ChildJvm prism, Duration timeout) throws Exception {
        Matcher m = prism.awaitOutput("Prism listening on http://127\\.0\\.0\\.1:(\\d+)", timeout);
        return Integer.parseInt(m.group(1));
    }
}
