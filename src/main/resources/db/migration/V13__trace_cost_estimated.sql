-- A trace whose cost Prism computed (in part) from model and tokens, because the client sent none (issue 12).
ALTER TABLE traces ADD COLUMN cost_estimated boolean NOT NULL DEFAULT false;
