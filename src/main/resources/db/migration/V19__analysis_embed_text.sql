-- The text clustering embeds for an analysis: its cause in canonical words (error and performance themes) or its
-- masked title, so that one cause reported in many wordings embeds alike. Null for analyses stored before: the embed
-- verticle then embeds their title and summary, as it did when they were stored.
ALTER TABLE analyses ADD COLUMN embed_text text;
