/**
 * The command line (picocli): {@code serve} (default), {@code replay}, {@code demo} and {@code bench}. Client
 * commands talk to a server over HTTP like any PostHog SDK would.
 */
package dev.prism.cli;
