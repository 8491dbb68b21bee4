-- Why: at 500 branches the recovery slot table grows by 33.5 M rows (7 GB with its indexes) a
-- year, and 74 % of those slots are never booked (docs/deploy.md, "Growth"). Slot reads do not
-- slow with the size, but the indexes every new week writes into, and every VACUUM scans, do.
--
-- The retention rule (docs/deploy.md, "The retention rule"):
--   * A recovery slot no booking refers to is deleted once its local day is more than
--     recovery_slot_retention_days() (35) days before its branch's today, by
--     prune_recovery_slots(), which an administrator runs daily (pg_cron, cron or a systemd
--     timer: docs/deploy.md). A cancelled booking still refers to its slot: that slot stays.
--   * From the same day on, desks and members never make that day's slots again (below, in
--     materialise_facility_slots). Without that, the slot trigger forgets a pruned day's record
--     and the next desk to open the week makes every pruned slot again.
--   * Booked slots, bookings and classes are kept: nothing that records a booking is deleted.
-- 35 days: a desk looks back a month (a member a week); the past is read-only and bookable by
-- nobody ('That slot has already started'), so what a desk sees of an older week is what was
-- booked in it.

-- A transaction left open must not queue everyone behind this migration.
set local lock_timeout = '10s';

-- Days of recovery slots kept after their day; older unbooked ones are pruned and not made again.
create function public.recovery_slot_retention_days() returns integer
  language sql immutable
  set search_path = pg_catalog, pg_temp
as $$ select 35 $$;
revoke all on function public.recovery_slot_retention_days() from public, anon, authenticated, service_role;

-- The slot making, as in 20261201000400, with the horizon after the checks (so bad input and a
-- branch the caller may not use are refused exactly as before).
CREATE OR REPLACE FUNCTION public.materialise_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  max_days constant integer := 62;
  v_days integer;
  v_inserted integer;
  v_broken text;
  v_fingerprint text;
  v_facility uuid[];
  v_starts timestamptz[];
  v_ends timestamptz[];
  v_date date[];
  v_local_start time[];
  v_local_end time[];
  v_capacity integer[];
  v_unplanned uuid[];
  v_horizon date;
begin
  if p_branch_id is null or p_start_date is null or p_end_date is null then
    raise exception 'A branch, a start date and an end date are all required.'
      using errcode = 'BD001';
  end if;
  if not (isfinite(p_start_date) and isfinite(p_end_date))
     or p_start_date < date '1900-01-01' or p_end_date > date '9999-12-31' then
    raise exception 'Slots are made for days between 1900-01-01 and 9999-12-31.' using errcode = 'BD001';
  end if;
  if p_end_date < p_start_date then
    raise exception 'The end date % is before the start date %.', p_end_date, p_start_date
      using errcode = 'BD001';
  end if;
  v_days := p_end_date - p_start_date + 1;
  if v_days > max_days then
    raise exception 'A range of % days is too long: slots are generated at most % days at a time.',
      v_days, max_days
      using errcode = 'BD001';
  end if;
  if not exists (select 1 from public.branches b where b.id = p_branch_id) then
    raise exception 'Branch % does not exist.', p_branch_id using errcode = 'BD002';
  end if;
  if not public.caller_may_use_branch(p_branch_id) then
    raise exception 'This session may not generate slots for that branch.' using errcode = 'BD003';
  end if;

  -- Days more than recovery_slot_retention_days() before the branch's today are history: the
  -- prune deletes their unbooked slots, and no desk or member makes them again (an
  -- administrator still may: the demo's and the tests' generators make past weeks).
  if public.caller_kind() is distinct from 'administrator' then
    -- The statement's time, not the transaction's: a transaction begun before midnight must not
    -- make a day the prune has since deleted.
    v_horizon := (statement_timestamp() at time zone public.branch_time_zone(p_branch_id))::date
                 - public.recovery_slot_retention_days();
    if p_end_date < v_horizon then
      return 0;
    elsif p_start_date < v_horizon then
      return public.materialise_facility_slots(p_branch_id, v_horizon, p_end_date);
    end if;
  end if;

  -- Nothing changed since every day of the range was made: nothing to add or remove.
  v_fingerprint := public.facility_slot_fingerprint(p_branch_id);
  if (select count(*) from public.benefit_slot_days d
      where d.branch_id = p_branch_id and d.local_date between p_start_date and p_end_date
        and d.fingerprint = v_fingerprint) = v_days then
    return 0;
  end if;

  -- One call at a time makes this branch's slots; a call that waited here may find them made.
  perform 1 from public.branches b where b.id = p_branch_id for no key update;
  if (select count(*) from public.benefit_slot_days d
      where d.branch_id = p_branch_id and d.local_date between p_start_date and p_end_date
        and d.fingerprint = public.facility_slot_fingerprint(p_branch_id)) = v_days then
    return 0;
  end if;

  -- Settings that the table's constraints forbid today may still exist in an older database.
  select string_agg(format('%s (%s)', f.name,
           case when s.open_time >= s.close_time then 'closes before it opens'
                when s.slot_minutes <= 0 then 'slot length is not positive'
                when s.capacity <= 0 then 'capacity is not positive'
                else 'slot is longer than opening hours' end), ', ')
    into v_broken
  from public.facilities f
  join public.benefit_settings s on s.facility_id = f.id
  where f.branch_id = p_branch_id and f.is_active and not f.under_maintenance
    and (s.open_time >= s.close_time or s.slot_minutes <= 0 or s.capacity <= 0
         or s.close_time - s.open_time < make_interval(mins => s.slot_minutes));
  if v_broken is not null then
    raise exception 'Facility settings need fixing before slots can be generated: %.', v_broken
      using errcode = 'BD007';
  end if;

  -- The plan and its fingerprint, from one snapshot.
  select public.facility_slot_fingerprint(p_branch_id),
         coalesce(array_agg(w.facility_id), '{}'), coalesce(array_agg(w.starts_at), '{}'),
         coalesce(array_agg(w.ends_at), '{}'), coalesce(array_agg(w.local_date), '{}'),
         coalesce(array_agg(w.local_start), '{}'), coalesce(array_agg(w.local_end), '{}'),
         coalesce(array_agg(w.capacity), '{}')
    into v_fingerprint, v_facility, v_starts, v_ends, v_date, v_local_start, v_local_end, v_capacity
  from public.facility_slot_plan(p_branch_id, p_start_date, p_end_date) w;

  -- The range's slots that the plan does not have (to the local times they store: a slot made
  -- under earlier rules with another local_end is made again). Future, never-booked ones go;
  -- the rest stay (bookings keep them, or they have begun) and are recorded with their day.
  select coalesce(array_agg(s.id), '{}') into v_unplanned
  from public.benefit_slots s
  where s.branch_id = p_branch_id
    and s.local_date between p_start_date and p_end_date
    -- NOT IN over the plan: one hashed subplan.
    and (s.facility_id, s.starts_at, s.ends_at, s.capacity, s.local_date, s.local_start, s.local_end) not in (
      select * from unnest(v_facility, v_starts, v_ends, v_capacity, v_date, v_local_start, v_local_end));
  delete from public.benefit_slots s
  where s.id = any (v_unplanned)
    and s.starts_at > now()
    and s.booked_count = 0
    and not exists (select 1 from public.benefit_bookings b where b.slot_id = s.id);

  insert into public.benefit_slots
    (facility_id, branch_id, starts_at, ends_at, local_date, local_start, local_end, capacity)
  select w.facility_id, p_branch_id, w.starts_at, w.ends_at, w.local_date, w.local_start, w.local_end, w.capacity
  from unnest(v_facility, v_starts, v_ends, v_date, v_local_start, v_local_end, v_capacity)
    w(facility_id, starts_at, ends_at, local_date, local_start, local_end, capacity)
  on conflict (facility_id, starts_at) do nothing;
  get diagnostics v_inserted = row_count;

  insert into public.benefit_slot_days (branch_id, local_date, fingerprint, kept)
  select p_branch_id, d::date, v_fingerprint, coalesce(k.ids, '{}')
  from generate_series(p_start_date::timestamp, p_end_date::timestamp, interval '1 day') d
  left join (select s.local_date, array_agg(s.id) as ids from public.benefit_slots s
             where s.id = any (v_unplanned) group by s.local_date) k on k.local_date = d::date
  on conflict (branch_id, local_date)
    do update set fingerprint = excluded.fingerprint, kept = excluded.kept, made_at = excluded.made_at;

  return v_inserted;
end
$function$;

-- The daily prune. Per branch, by the branch's own today: the slots that no booking refers to,
-- of the oldest p_days local days before the horizon that still have such slots, and those days'
-- records (the slot trigger forgets a day it deletes from; a day left with booked slots only has
-- its record deleted too, as nothing makes it again). Returns how many slots it deleted.
-- One call is one transaction: the daily run is one call (a day per branch, about 68,000 slots at
-- 500 branches); a backlog is worked off by calling it until it returns 0 (docs/deploy.md).
-- A booking cannot race it: past slots are bookable by nobody, and a slot whose booked_count is
-- raised meanwhile fails the DELETE's recheck. Each branch waits at most lock_timeout (2 s) for a
-- lock, then is skipped with a warning, as is a branch whose time zone is refused. Only an
-- administrator may run it: no grants.
create function public.prune_recovery_slots(p_days integer default 7) returns bigint
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
  set lock_timeout = '2s'
as $$
declare
  b record;
  v_horizon date;
  v_from date;
  v_n bigint;
  v_deleted bigint := 0;
begin
  if p_days is null or p_days not between 1 and 366 then
    raise exception 'Prune 1 to 366 days at a time.' using errcode = 'BD001';
  end if;
  for b in select br.id from public.branches br order by br.code loop
    -- One branch at a time: a branch whose time zone is refused, or whose old rows a session
    -- holds locked (a desk's transaction left open across midnight), waits for the next run
    -- with a warning; the other branches are pruned.
    begin
      v_horizon := (statement_timestamp() at time zone public.branch_time_zone(b.id))::date
                   - public.recovery_slot_retention_days();
      select min(s.local_date) into v_from
      from public.benefit_slots s
      where s.branch_id = b.id and s.local_date < v_horizon and s.booked_count = 0
        and not exists (select 1 from public.benefit_bookings bb where bb.slot_id = s.id);
      continue when v_from is null;
      delete from public.benefit_slots s
      where s.branch_id = b.id and s.local_date between v_from and least(v_from + p_days - 1, v_horizon - 1)
        and s.booked_count = 0
        and not exists (select 1 from public.benefit_bookings bb where bb.slot_id = s.id);
      get diagnostics v_n = row_count;
      delete from public.benefit_slot_days d
      where d.branch_id = b.id and d.local_date between v_from and least(v_from + p_days - 1, v_horizon - 1);
      v_deleted := v_deleted + v_n;
    exception when lock_not_available or sqlstate 'BD007' then
      raise warning 'Branch % is not pruned this time: %', b.id, sqlerrm;
    end;
  end loop;
  return v_deleted;
end
$$;
revoke all on function public.prune_recovery_slots(integer) from public, anon, authenticated, service_role;
