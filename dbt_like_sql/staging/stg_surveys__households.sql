-- Households of every survey wave, from each wave's accepted households file.
-- grain: one row per household per wave
-- key: wave_id, hh_id
-- why: survey indicators use all waves (docs/indicators.md); a wave's rejected
--   file contributes nothing (stg_audit__accepted_files lists the accepted
--   ones).

with

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

households as (
    select * from raw.survey_households
),

final as (
    select
        households.wave_id,
        households.hh_id,
        households.town_code,
        households.hh_size,
        households.cars,
        households.ebikes,
        households.hh_weight,
        households._source_file as source_file
    from households
    inner join accepted_files
        on
            households._source_file = accepted_files.file_name
            and households._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'surveys'
)

select * from final
