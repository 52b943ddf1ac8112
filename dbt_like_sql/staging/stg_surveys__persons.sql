-- Persons of every survey wave, from each wave's accepted persons file.
-- grain: one row per person per wave
-- key: wave_id, hh_id, person_no
-- why: survey indicators use all waves (docs/indicators.md); a wave's rejected
--   file contributes nothing (stg_audit__accepted_files lists the accepted
--   ones).

with

accepted_files as (
    select * from staging.stg_audit__accepted_files
),

persons as (
    select * from raw.survey_persons
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
    inner join accepted_files
        on
            persons._source_file = accepted_files.file_name
            and persons._source_sha256 = accepted_files.sha256
    where accepted_files.source = 'surveys'
)

select * from final
