-- Households of every survey wave, from each wave's accepted households file.
-- grain: one row per household per wave
-- key: wave_id, hh_id
-- why: survey indicators use all waves (indicators.md); a wave's rejected file
--   contributes nothing. A file's state is its latest audit row.

with

source_files as (
    select * from audit.source_files
),

households as (
    select * from raw.survey_households
),

file_states as (
    select
        file_name,
        sha256,
        status
    from source_files
    where source = 'surveys'
    qualify row_number() over (
        partition by file_name order by loaded_at desc, run_id desc
    ) = 1
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
    inner join file_states
        on
            households._source_file = file_states.file_name
            and households._source_sha256 = file_states.sha256
    where file_states.status = 'accepted'
)

select * from final
