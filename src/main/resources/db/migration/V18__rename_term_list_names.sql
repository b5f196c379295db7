-- Offline cluster names used to be lists of c-TF-IDF terms ("Rate_limit_error, anthropic.RateLimitError, input tokens,
-- type"); they are noun phrases now. Names also stay across runs now unless a cluster's content changes materially, so
-- the old lists would stay for good. Mark them as not named (named_at NULL): the theme's next run names these clusters
-- again and keeps their ids. Only the offline namer's descriptions begin with the size and "Distinctive terms:", so
-- names an LLM made are left alone.
UPDATE clusters
   SET named_at = NULL, named_members = NULL
 WHERE status = 'active'
   AND description ~ '^[0-9]+ summaries\. Distinctive terms: ';
