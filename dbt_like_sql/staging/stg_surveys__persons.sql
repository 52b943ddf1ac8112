-- Persons of every survey wave, from each wave's accepted persons file.
-- grain: one row per person per wave
-- key: wave_id, hh_id, person_no
-- why: survey indicators use all waves (indicators.md); a wave's rejected file
--   contributes nothing. A file's state is its latest audit row.

with

source_files as (
    select * from audit.source_files
),

persons as (
    select * from raw.survey_persons
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
        persons.wave_id,
        persons.hh_id,
        persons.person_no,
        persons.age,
        persons.sex as sex_code,
        persons.occupation,
        persons.person_weight,
        persons._source_file as source_file
    from persons
    inner join file_states
        on
            persons._source_file = file_states.file_name
            and persons._source_sha256 = file_states.sha256
    where file_states.status = 'accepted'
)

select * from final
