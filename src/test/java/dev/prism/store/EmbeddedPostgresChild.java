package dev.prism.store;

import java.nio.file.Path;

/** Runs only an embedded PostgreSQL on a data directory until killed: the crash side of {@link EmbeddedPostgresServerTest}. */
public final class EmbeddedPostgresChild {

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]));
        System.out.println("READY port=" + server.settings().port() + " postmaster=" + Postmaster.recordedPid(server.dataDirectory()).orElse(-1));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
