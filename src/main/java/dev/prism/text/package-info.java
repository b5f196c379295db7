/**
 * Pure text helpers that more than one feature needs, such as {@link dev.prism.text.Masking} (what is embedded for
 * clustering must not carry identifiers or personal data). No Vert.x, no state: any thread may call them.
 */
package dev.prism.text;
