-- Seconds after midnight of a GTFS time text "H:MM:SS"; the hour may pass 24
--   (a trip running past midnight), and text that is no time gives null.
create or replace temp macro gtfs_seconds(t) as
try_cast(split_part(trim(t), ':', 1) as integer) * 3600
+ try_cast(split_part(trim(t), ':', 2) as integer) * 60
+ try_cast(split_part(trim(t), ':', 3) as integer)
