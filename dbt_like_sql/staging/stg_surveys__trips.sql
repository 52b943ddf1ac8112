-- Trips of every survey wave, from each wave's accepted trips file.
-- grain: one row per trip per wave
-- key: wave_id, hh_id, person_no, trip_no
-- why: survey indicators use all loaded trips of all waves
--   (docs/indicators.md). Codes become text to join reference.* codes;
--   trip_weight becomes an exact decimal so that shares compare exactly with
--   targets. Accepted files are those of stg_audit__accepted_files.

with

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

trips as (
    select * from raw.survey_trips
),

final as (
    select
        trips.wave_id,
        trips.hh_id,
        trips.person_no,
        trips.trip_no,
        trips.depart_time,
        trips.arrive_time,
        trips.origin_town as origin_town_code,
        trips.dest_town as dest_town_code,
        cast(trips.purpose as varchar) as purpose_code,
        cast(trips.main_mode as varchar) as main_mode_code,
        trips.distance_km,
        cast(trips.trip_weight as decimal(38, 10)) as trip_weight,
        trips._source_file as source_file
    from trips
    inner join accepted_files
        on
            trips._source_file = accepted_files.file_name
            and trips._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'surveys'
)

select * from final
