-- Input tokens the provider read from or wrote to its prompt cache, as it reported them (part of input_tokens, priced
-- apart: cost_usd already uses the cache prices). Kept per call so spend can be explained and the shared trace prefix
-- across themes checked against the provider's own figures.

ALTER TABLE analyses ADD COLUMN cache_read_tokens bigint;
ALTER TABLE analyses ADD COLUMN cache_write_tokens bigint;
ALTER TABLE llm_calls ADD COLUMN cache_read_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE llm_calls ADD COLUMN cache_write_tokens bigint NOT NULL DEFAULT 0;
