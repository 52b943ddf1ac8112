-- The SCD type 2 rule: the snapshots of a full-ledger source folded into the
-- states its records held and the file dates between which each held.
-- arguments: snapshots
-- why: one statement of the rule for every history model. `snapshots` names
--   a table (or CTE) of every accepted file's rows with the file's
--   file_sequence, file_date and next_file_date; every other column is part
--   of a record's state, so a change of any column starts a new state.
--   Identical records of one file are one state held `copies` times. A state
--   held by consecutive accepted files is one row (an island: its file
--   sequence minus its rank among the files holding it is constant), from
--   the date of its first file to the date of the first later accepted file
--   that no longer holds it (null while the newest file holds it).
-- returns: the state columns in their order, then copies, valid_from, valid_to

with

snapshot_rows as (
    select * from query_table(snapshots)
),

held as (
    select  -- noqa: ST06
        struct_pack(
            *columns(* exclude (file_sequence, file_date, next_file_date))
        ) as state,
        file_sequence,
        file_date,
        next_file_date,
        count(*) as copies
    from snapshot_rows
    group by all
),

islands as (
    select
        state,
        copies,
        file_sequence,
        file_date,
        next_file_date,
        file_sequence - row_number() over (
            partition by state, copies order by file_sequence
        ) as island
    from held
),

intervals as (
    select
        islands.state,
        islands.copies,
        arg_min_null(islands.file_date, islands.file_sequence) as valid_from,
        arg_max_null(islands.next_file_date, islands.file_sequence) as valid_to
    from islands
    group by islands.state, islands.copies, islands.island
),

final as (
    select
        state.*,
        * exclude (state)
    from intervals
)

select * from final  -- noqa: AM04
