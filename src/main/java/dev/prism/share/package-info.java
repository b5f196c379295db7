/**
 * Read-only share links to one theme's results (issue 14, point 5): {@link dev.prism.share.ShareVerticle} makes, lists,
 * revokes and resolves them on {@code prism.share.command}. The HTTP edge serves {@code /api/shared/{token}/…} with
 * what a resolved link allows and nothing else.
 */
package dev.prism.share;
