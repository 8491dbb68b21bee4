-- Why: slot instants must follow the zone data for every transition, and nothing a session sets
-- may move them (issue 20, item 5). Three faults in 20261128000200's facility_slot_plan:
--   * A fall-back at local midnight (America/Havana 2027-11-07, Atlantic/Azores 2027-10-31): the
--     day's midnights, as PostgreSQL reads them, are 24 hours apart (it reads the ambiguous 00:00
--     as its second occurrence), so the day was taken for a one-offset day and its 00:00 slots
--     got the second occurrence. The rule is the first.
--   * A spring-forward at midnight (America/Santiago 2027-09-05): the same test passed for the
--     day before, whose last slot then stored local_end 00:00, a time that day never shows; the
--     clock then reads 01:00.
--   * branches.timezone accepted CET, EST, MET, WET, localtime, posixrules, Factory: PostgreSQL
--     reads abbreviation-like names through the session's timezone_abbreviations (fixed
--     offsets), so a CET branch got summer slots an hour off, and a session setting changed an
--     EST branch's slots for everyone.
--
-- Now:
--   * A branch's zone is a region name of the zone data (Africa/..., America/..., Antarctica,
--     Arctic, Asia, Atlantic, Australia, Europe, Indian, Pacific) or UTC. Such names are never
--     abbreviations, so no session setting reaches them. A branch that still has another name
--     (an older database) gets a clear error (BD007) where its time is needed, not a raw 22023.
--   * facility_slot_plan samples the UTC offset 36 hours before, at and 36 hours after each day's
--     local noon, from instants (never by reading a wall-clock time). One offset: the day's slots
--     are its UTC midnight plus their wall-clock time. Otherwise each wall-clock time is tried
--     with every offset sampled; the readings that map back to that time are its instants, and
--     the earliest is kept: a time in a spring-forward gap has none (no slot), a repeated time
--     its first occurrence. local_end is what the clock shows when the slot ends.
--   * The fingerprint of a branch's configuration carries the version of these rules, so every
--     day made under the old ones is made again by its next ensure_facility_slots call (booked
--     slots are kept, as always).
-- core/tests/time_zones.rs checks the instants against the zone data read independently
-- (the `jiff` crate) over every transition of every region zone.

-- A transaction left open must not queue everyone behind this migration's locks.
set local lock_timeout = '10s';

-- A region name of the zone data: a place PostgreSQL never reads as an abbreviation.
create function public.is_region_time_zone_name(tz text) returns boolean
  language plpgsql immutable
  set search_path = pg_catalog, pg_temp
as $$
begin
  return tz ~ '^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)(/[A-Za-z0-9_+-]+){1,2}$';
end
$$;

-- What branches.timezone accepts: UTC, or a region name of this database's zone data, spelt as
-- the zone data spells it. Setting TimeZone to the name, inside this function only, is how
-- PostgreSQL tells whether it has the zone and how it spells it (much faster than reading
-- pg_timezone_names, which opens every zone file).
create or replace function public.is_iana_time_zone(tz text) returns boolean
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
  set timezone = 'Etc/UTC'
as $$
begin
  if tz = 'UTC' then
    return true;
  end if;
  if tz is null or not public.is_region_time_zone_name(tz) then
    return false;
  end if;
  perform set_config('timezone', tz, true);
  return current_setting('timezone') = tz;
exception when invalid_parameter_value then
  return false;
end
$$;

-- The zone a branch's times are computed in ('Etc/UTC' for UTC, so not even that name goes
-- through the abbreviations); null for an unknown branch. Refuses, in words, a zone that is not
-- a region name, or that the zone data does not have. (Every row written since this migration
-- passed is_iana_time_zone, the slower check: it runs here only while the constraint is not
-- validated, in an older database whose rows failed it.)
create function public.branch_time_zone(p_branch_id uuid) returns text
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_name text;
  v_tz text;
begin
  select b.name, b.timezone into v_name, v_tz from public.branches b where b.id = p_branch_id;
  if not found then
    return null;
  end if;
  if v_tz = 'UTC' then
    return 'Etc/UTC';
  end if;
  if not public.is_region_time_zone_name(v_tz) then
    raise exception 'The time zone of % is "%", which is not a region name (PostgreSQL reads names such as CET or EST as fixed offsets, an hour off half the year). Set it to one such as Europe/London.',
      v_name, v_tz using errcode = 'BD007';
  end if;
  if not exists (select 1 from pg_constraint c
                 where c.conrelid = 'public.branches'::regclass and c.conname = 'branches_timezone_iana'
                   and c.convalidated)
     and not public.is_iana_time_zone(v_tz) then
    raise exception 'The time zone of % is "%", which this database''s zone data does not have. Set it to a region name such as Europe/London.',
      v_name, v_tz using errcode = 'BD007';
  end if;
  return v_tz;
end
$$;

-- The constraint keeps its name (core/src/error.rs words it for staff). Rows of an older
-- database that the stricter rule refuses stay until fixed (the functions refuse them clearly);
-- new and changed rows must pass.
alter table public.branches drop constraint branches_timezone_iana;
alter table public.branches
  add constraint branches_timezone_iana check (public.is_iana_time_zone(timezone)) not valid;
do $$
begin
  alter table public.branches validate constraint branches_timezone_iana;
exception when check_violation then
  raise warning 'Some branches have a time zone that is not a region name (%): slots cannot be made for them until it is set to one such as Europe/London.',
    (select string_agg(format('%s: %s', b.code, b.timezone), ', ')
     from public.branches b where not public.is_iana_time_zone(b.timezone));
end
$$;

-- The slots a branch's configuration calls for over a date range (inclusive), optionally for
-- one facility, with their real instants (see the top of this file). Internal: called by
-- materialise_facility_slots and the booking functions with their owner's rights.
drop function public.facility_slot_plan(uuid, date, date);
create function public.facility_slot_plan(p_branch_id uuid, p_start_date date, p_end_date date,
                                          p_facility_id uuid default null)
  returns table (
    facility_id uuid, branch_id uuid, starts_at timestamptz, ends_at timestamptz,
    local_date date, local_start time, local_end time, capacity integer
  )
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
  -- The planner cannot know how many days and slots a call has (it guesses 1,000 of each), so
  -- it would compile this query to machine code on every call (JIT): about 40 ms here, more
  -- than a month's whole first run takes without.
  set jit = off
as $$
declare
  v_tz text := public.branch_time_zone(p_branch_id);
begin
  return query
  with config as (
    select f.id as facility_id, f.available_days,
           coalesce(s.open_time, time '06:00') as open_time,
           coalesce(s.close_time, time '22:00') as close_time,
           make_interval(mins => coalesce(s.slot_minutes, 30)) as slot_length,
           coalesce(s.capacity, 4) as capacity
    from public.facilities f
    left join public.benefit_settings s on s.facility_id = f.id
    where f.branch_id = p_branch_id and (p_facility_id is null or f.id = p_facility_id)
      and f.is_active and not f.under_maintenance
  ),
  days as materialized (
    -- Per day, once (inlined, the planner would redo these conversions for every slot): the
    -- distinct UTC offsets in force 36 hours before, at and 36 hours after local noon, and the
    -- instant of local midnight when there is one offset.
    select d as day, o.offsets,
           case when cardinality(o.offsets) = 1 then (d - o.offsets[1]) at time zone 'Etc/UTC' end as midnight
    from generate_series(p_start_date::timestamp, p_end_date::timestamp, interval '1 day') d
    cross join lateral (
      select array_agg(distinct (x.u at time zone v_tz) - (x.u at time zone 'Etc/UTC')) as offsets
      from unnest(array[-36, 0, 36]) h
      cross join lateral (select ((d + interval '12 hours') at time zone v_tz) + make_interval(hours => h) as u) x
    ) o
  ),
  slots as (
    select c.facility_id, c.capacity, c.slot_length, y.day, y.offsets, t as local_start,
           case when cardinality(y.offsets) = 1
             -- One offset all day: the day's UTC midnight plus the wall-clock time.
             then y.midnight + (t - y.day)
             -- A change of offset near this day: the earliest reading that maps back to t.
             else (select min(r.u)
                   from unnest(y.offsets) o
                   cross join lateral (select (t - o) at time zone 'Etc/UTC' as u) r
                   where (r.u at time zone v_tz) = t)
           end as starts_at
    from config c
    join days y on extract(isodow from y.day)::integer = any (c.available_days)
    cross join lateral generate_series(y.day + c.open_time, y.day + c.close_time - c.slot_length, c.slot_length) t
  )
  select s.facility_id, p_branch_id, s.starts_at, s.starts_at + s.slot_length, s.day::date,
         s.local_start::time,
         case when cardinality(s.offsets) = 1 then (s.local_start + s.slot_length)::time
              else ((s.starts_at + s.slot_length) at time zone v_tz)::time end,
         s.capacity
  from slots s
  where s.starts_at is not null;
end
$$;
revoke execute on function public.facility_slot_plan(uuid, date, date, uuid)
  from public, anon, authenticated, branch_desk, service_role;

-- Everything facility_slot_plan reads for a branch, as one hash, with the version of the slot
-- rules ('v2': this migration): the branch's time zone and each active, working facility's days,
-- hours, slot length and capacity.
create or replace function public.facility_slot_fingerprint(p_branch_id uuid) returns text
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  return (
    select md5(concat_ws('|', 'v2', b.timezone, (
      select string_agg(concat_ws(',', f.id, f.available_days, s.open_time, s.close_time,
                                  s.slot_minutes, s.capacity), ';' order by f.id)
      from public.facilities f
      left join public.benefit_settings s on s.facility_id = f.id
      where f.branch_id = b.id and f.is_active and not f.under_maintenance
    )))
    from public.branches b
    where b.id = p_branch_id);
end
$$;

-- A member's use of one kind of entitlement in the plan period containing p_at: periods are
-- ISO weeks or calendar months at the member's home branch (its zone from branch_time_zone).
create or replace function public.entitlement_usage(p_member_id uuid, p_kind text, p_at timestamptz)
  returns table (included boolean, allowance integer, used integer, period text,
                 period_start timestamptz, period_end timestamptz)
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_tz text;
  v_plan uuid;
  v_entitlement public.plan_entitlements;
  v_period text;
  v_local_start timestamp;
  v_start timestamptz;
  v_end timestamptz;
  v_used integer;
begin
  select public.branch_time_zone(m.home_branch_id), m.plan_id into v_tz, v_plan
  from public.members m where m.id = p_member_id;
  select e.* into v_entitlement from public.plan_entitlements e where e.plan_id = v_plan and e.kind = p_kind;
  v_period := coalesce(v_entitlement.period, 'month');
  v_local_start := date_trunc(v_period, p_at at time zone v_tz);
  v_start := v_local_start at time zone v_tz;
  v_end := (v_local_start + case v_period when 'week' then interval '1 week' else interval '1 month' end) at time zone v_tz;
  if p_kind = 'class' then
    select count(*) into v_used from public.class_bookings cb
    where cb.member_id = p_member_id and cb.status <> 'cancelled'
      and cb.starts_at >= v_start and cb.starts_at < v_end;
  else
    select count(*) into v_used from public.benefit_bookings bb
    where bb.member_id = p_member_id and bb.status <> 'cancelled'
      and bb.starts_at >= v_start and bb.starts_at < v_end;
  end if;
  return query select v_entitlement.plan_id is not null,
    case when v_entitlement.plan_id is null then 0 else v_entitlement.sessions_per_period end,
    v_used, v_period, v_start, v_end;
end
$$;

-- is_region_time_zone_name runs inside branches' check constraint, as whoever writes branches.
revoke execute on function public.is_region_time_zone_name(text) from public, anon, authenticated, branch_desk;
grant execute on function public.is_region_time_zone_name(text) to service_role;
revoke execute on function public.branch_time_zone(uuid)
  from public, anon, authenticated, branch_desk, service_role;
