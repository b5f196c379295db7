package dev.prism.alert;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.List;

/**
 * One kind of alert destination ({@code slack}, {@code webhook}, {@code linear}, {@code github}). The delivery
 * machinery checks every URI {@link #targets} names against the address policy (no private, loopback or link-local
 * address unless configured) before it calls {@link #send}, and never follows a redirect without checking it again.
 * {@code config} is the rule's destination object with its secrets (webhook URL, token); a destination never logs it
 * nor puts it in a {@link SendOutcome}.
 */
public interface Destination {

    /** The {@code type} a rule's destination object names. */
    String type();

    /** A 400-worthy problem with a destination object (missing URL or token, bad team id), or null when it is usable. */
    String validate(JsonObject config);

    /** The URLs {@link #send} will call for this configuration. */
    List<URI> targets(JsonObject config);

    /** One attempt; the future fails only on a bug, every delivery problem is a failed {@link SendOutcome}. */
    Future<SendOutcome> send(AlertNotice notice, JsonObject config);
}
