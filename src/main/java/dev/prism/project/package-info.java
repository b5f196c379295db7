/**
 * Projects and credentials: creates the {@code default} project and its keys at first start, stores only hashes, and
 * answers token and API-key checks from memory.
 *
 * <p>Consumes {@code prism.project.resolve-token} and {@code prism.project.authorize}. One instance; event loop only.
 */
package dev.prism.project;
