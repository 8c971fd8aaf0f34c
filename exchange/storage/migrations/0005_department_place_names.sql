-- Place names a department's jurisdiction is known by (neighbourhoods, towns, the county seat),
-- one per line: the identifying-text check (exchange/privacy/identifying.py) flags them in anonymous lessons.
ALTER TABLE departments ADD COLUMN place_names VARCHAR DEFAULT '';
