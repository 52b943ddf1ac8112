-- The representative weekday, Saturday and Sunday of each feed version.
-- grain: one row per feed version per day type (weekday, saturday, sunday)
--   with any service
-- key: feed_version, day_type
-- why: the service metrics describe one typical day of each type. For each
--   day type (Mon-Fri, Saturday, Sunday) the date in the feed's service period
--   with the most scheduled trips of that type is taken (ties: the earliest),
--   preferring dates calendar_dates.txt leaves alone: in China a holiday swap
--   turns a Sunday into a working day running the weekday timetable (调休),
--   which has "the most service" of all Sundays but is not a Sunday's
--   service. Feeds built from calendar_dates only fall back to all dates.
-- columns:
--   feed_version: sha256 of the zip
--   day_type: weekday, saturday or sunday
--   service_date: the representative date chosen
--   scheduled_trips: trips scheduled on that date

with

service_dates as (
    select * from intermediate.int_gtfs__service_dates
),

trips as (
    select * from raw.gtfs_trips
),

calendar_dates as (
    select * from raw.gtfs_calendar_dates
),

trips_per_service as (
    select
        feed_version,
        service_id,
        count(*) as trips
    from trips
    group by feed_version, service_id
),

daily as (
    select
        service_dates.feed_version,
        service_dates.service_date,
        cast(sum(trips_per_service.trips) as bigint) as scheduled_trips
    from service_dates
    inner join trips_per_service
        on
            service_dates.feed_version = trips_per_service.feed_version
            and service_dates.service_id = trips_per_service.service_id
    group by service_dates.feed_version, service_dates.service_date
),

exception_days as (
    select distinct
        feed_version,
        cast(try_strptime(trim(date), '%Y%m%d') as date) as service_date
    from calendar_dates
),

typed as (
    select
        daily.*,
        exception_days.service_date is not null as is_exception_day,
        case
            when isodow(daily.service_date) <= 5 then 'weekday'
            when isodow(daily.service_date) = 6 then 'saturday'
            else 'sunday'
        end as day_type
    from daily
    left join exception_days
        on
            daily.feed_version = exception_days.feed_version
            and daily.service_date = exception_days.service_date
)

select
    feed_version,
    day_type,
    service_date,
    scheduled_trips
from typed
qualify row_number() over (
    partition by feed_version, day_type
    order by is_exception_day asc, scheduled_trips desc, service_date asc
) = 1
