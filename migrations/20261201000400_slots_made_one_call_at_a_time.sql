-- Why: a settings change during desk traffic left wrong slots that no later call repaired, and
-- concurrent calls could deadlock (issue 20, item 3).
--
-- Session 1 made a day's slots in an open transaction with the old slot length; an
-- administrator changed the settings; session 2 planned the new slots, found nothing of session
-- 1's to remove (uncommitted), waited on its inserts and then kept them (ON CONFLICT DO NOTHING),
-- and recorded the new fingerprint for the day: stale slots, planned ones missing, and every
-- later call answered "nothing to do". Separately, two calls inserting overlapping slots in
-- different orders could deadlock on the unique index (40P01), and each statement of a call
-- could see a different configuration (a change and its undo between the DELETE and the
-- INSERT left the day wrong under the right fingerprint).
--
-- Now the making of a branch's slots is serialised and consistent:
--   * A call that has something to make locks its branch's row first (FOR NO KEY UPDATE: desks
--     cannot take it themselves, bookings' foreign-key checks do not wait for it, a change of
--     the branch's time zone does). Calls for one branch make slots one after another, so none
--     can deadlock with another; under READ COMMITTED each statement after the lock sees every
--     call that finished before it, and the day's record is checked again there.
--   * The plan and the fingerprint it is recorded under come from one statement, so one
--     snapshot: a configuration that changes meanwhile makes the fingerprint differ from the
--     current one, and the next call makes the day again. The DELETE and the INSERT use that
--     plan, never a second reading of the configuration.
--   * Under REPEATABLE READ or SERIALIZABLE a call sees its transaction's snapshot: what it
--     cannot see, it cannot overwrite silently; PostgreSQL refuses it (40001, which the desk
--     words as "try again").
-- Input that cannot be a range of days (infinite dates, dates outside 1900-9999) is refused in
-- words, as are NULLs, reversed and over-long ranges (as before).

-- A transaction left open must not queue everyone behind this migration's locks.
set local lock_timeout = '10s';

-- The slots of a day that its last making kept although the plan it recorded does not make
-- them (bookings hold them, or they had begun). While the day's fingerprint is current, these
-- are exactly the day's slots that are not in the timetable: book_benefit_slot refuses them
-- without computing the day's plan again.
alter table public.benefit_slot_days add column kept uuid[] not null default '{}';

create or replace function public.materialise_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
  returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
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
$$;

-- Members make slots only near today (20261128000500); desks and administrators anywhere. The
-- branch's "today" comes from branch_time_zone, which refuses a zone that is not a place.
-- The branch lock is waited for at most lock_timeout (a caller that keeps its transaction open
-- holds it), and one slot making per transaction (check_fresh_transaction, 20261201000200).
create or replace function public.ensure_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
  returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
  set lock_timeout = '3s'
as $$
declare
  days_back constant integer := 7;
  days_ahead constant integer := 92;
  v_today date;
begin
  perform public.check_fresh_transaction('Slots are made');
  if public.caller_kind() = 'member' and p_start_date is not null and p_end_date is not null then
    v_today := (now() at time zone public.branch_time_zone(p_branch_id))::date;
    if v_today is not null
       and (p_start_date < v_today - days_back or p_end_date > v_today + days_ahead) then
      raise exception 'Slots can be opened from % to % (a week back to three months ahead).',
        v_today - days_back, v_today + days_ahead
        using errcode = 'BD001';
    end if;
  end if;
  return public.materialise_facility_slots(p_branch_id, p_start_date, p_end_date);
end
$$;
