package dev.prism.bus;

import java.time.Instant;
import java.util.List;

/** Asks which Prism instances share the database, seen within the heartbeat window. Replies {@link Members}. */
public record Instances() {

    /** One instance; {@code self} is the one answering. */
    public record Member(String id, String host, long pid, String version, Instant startedAt, Instant lastSeen, boolean self) {
    }

    public record Members(List<Member> members) {
    }
}
