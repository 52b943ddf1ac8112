-- GTFS time text "HH:MM:SS" of seconds after midnight, past 24:00:00 as GTFS
--   writes it (the inverse of gtfs_seconds).
create or replace temp macro gtfs_time_text(s) as
lpad(cast(s // 3600 as varchar), 2, '0') || ':'
|| lpad(cast((s % 3600) // 60 as varchar), 2, '0') || ':'
|| lpad(cast(s % 60 as varchar), 2, '0')
