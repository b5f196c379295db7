/**
 * Pure facts about traces that several features need and must read the same way (what makes an agent loop, …): one
 * definition each, no Vert.x, no feature imports.
 */
package dev.prism.common;
