/**
 * Read-only share links to one theme's results: {@link dev.prism.share.ShareVerticle} makes, lists,
 * revokes and resolves them on {@code prism.share.command}. The HTTP edge serves {@code /api/shared/{token}/…} with
 * what a resolved link allows and nothing else.
 */
package dev.prism.share;
