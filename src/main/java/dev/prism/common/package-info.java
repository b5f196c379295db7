/**
 * Pure facts and helpers that several features need and must read the same way: what makes an agent loop
 * ({@link dev.prism.common.CallCounts}), the JSON object in a model's answer ({@link dev.prism.common.ModelAnswer}),
 * hashing ({@link dev.prism.common.Hashing}) and vector arithmetic ({@link dev.prism.common.VectorMath}). One definition
 * each, no Vert.x, no feature imports.
 */
package dev.prism.common;
