-- Why: the fix for "No sessions available this week". Recovery slots used to be generated in
-- the member's browser with direct INSERTs that row-level security refused (silently). Now
-- every client materialises slots with this one call; it takes no slot data from the caller,
-- only a branch and a date range, and builds slots from the facilities' configuration.
--
-- Errors use Branch Desk's own SQLSTATEs, whose messages are written for staff:
--   BD001 invalid input   BD002 not found   BD003 not allowed   BD007 broken facility settings

-- Who may act for a branch: a desk mapped to it (or to every branch); a member of the club
-- (members may use every branch); an administrator session (superuser or service_role).
-- Used from SECURITY DEFINER functions only, so it reads the tables with their owner's rights.
create function public.caller_may_use_branch(p_branch_id uuid) returns boolean
  language plpgsql stable
  set search_path = pg_catalog, public
as $$
begin
  if exists (select 1 from public.desk_roles d where d.role_name = session_user::text) then
    return exists (
      select 1 from public.desk_roles d
      where d.role_name = session_user::text and (d.branch_id is null or d.branch_id = p_branch_id)
    );
  end if;
  if auth.uid() is not null then
    return exists (select 1 from public.members m where m.user_id = auth.uid());
  end if;
  return coalesce((select r.rolsuper from pg_catalog.pg_roles r where r.rolname = session_user), false)
      or coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role', '') = 'service_role';
end
$$;
revoke execute on function public.caller_may_use_branch(uuid) from public, anon, authenticated;

-- The slots a branch's configuration calls for over a date range (inclusive), with their real
-- instants computed in the branch's zone. Pure with respect to the session: it never reads the
-- session TimeZone. Internal: called by ensure_facility_slots with its owner's rights.
create function public.facility_slot_plan(p_branch_id uuid, p_start_date date, p_end_date date)
  returns table (
    facility_id uuid, branch_id uuid, starts_at timestamptz, ends_at timestamptz,
    local_date date, local_start time, local_end time, capacity integer
  )
  language sql stable
  set search_path = pg_catalog, public
as $$
  with config as (
    select f.id as facility_id, f.branch_id, b.timezone as tz, f.available_days,
           coalesce(s.open_time, time '06:00') as open_time,
           coalesce(s.close_time, time '22:00') as close_time,
           make_interval(mins => coalesce(s.slot_minutes, 30)) as slot_length,
           coalesce(s.capacity, 4) as capacity
    from public.facilities f
    join public.branches b on b.id = f.branch_id
    left join public.benefit_settings s on s.facility_id = f.id
    where f.branch_id = p_branch_id and f.is_active and not f.under_maintenance
  ),
  local_slots as (
    select c.facility_id, c.branch_id, c.tz, c.slot_length, c.capacity,
           d::date as local_date, t as local_start
    from config c
    cross join generate_series(p_start_date::timestamp, p_end_date::timestamp, interval '1 day') d
    cross join lateral generate_series(d + c.open_time, d + c.close_time - c.slot_length, c.slot_length) t
    where extract(isodow from d)::integer = any (c.available_days)
  ),
  instants as (
    -- Two readings of each wall-clock time: PostgreSQL's own, and one using the UTC offset in
    -- force six hours earlier (before any transition that day). Keep the readings that map
    -- back to the same wall-clock time and take the earliest: a time in the spring-forward gap
    -- has none (no slot), an ambiguous fall-back time gets its first occurrence.
    select l.*, i.starts_at
    from local_slots l
    cross join lateral (
      select min(x) as starts_at
      from unnest(array[
        l.local_start at time zone l.tz,
        ((l.local_start - interval '6 hours') at time zone l.tz) + interval '6 hours'
      ]) x
      where x at time zone l.tz = l.local_start
    ) i
    where i.starts_at is not null
  )
  select facility_id, branch_id, starts_at, starts_at + slot_length,
         local_date, local_start::time, ((starts_at + slot_length) at time zone tz)::time, capacity
  from instants
$$;
revoke execute on function public.facility_slot_plan(uuid, date, date) from public, anon, authenticated;

-- Slots from configuration, per SPEC.md "Slot rules":
-- * facilities of the branch that are active and not under maintenance, on their available days;
-- * open/close/slot length/capacity from benefit_settings, else 06:00-22:00, 30 minutes, capacity 4;
-- * computed in the branch's IANA zone; a local time that does not exist (spring forward) gets no
--   slot; an ambiguous one (fall back) is generated once, at its first occurrence; every slot lasts
--   exactly its length of real time; nothing depends on the session's TimeZone;
-- * idempotent and race-free: unique (facility_id, starts_at) + ON CONFLICT DO NOTHING;
-- * a future slot with no bookings that no longer matches the configuration (settings changed,
--   facility closed or under maintenance) is removed; a slot that has or had bookings is never
--   deleted or changed;
-- * p_end_date is inclusive; at most 62 days (about two months) per call.
-- Returns the number of slots inserted.
create function public.ensure_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
  returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  max_days constant integer := 62;
  v_inserted integer;
  v_broken text;
begin
  if p_branch_id is null or p_start_date is null or p_end_date is null then
    raise exception 'A branch, a start date and an end date are all required.'
      using errcode = 'BD001';
  end if;
  if p_end_date < p_start_date then
    raise exception 'The end date % is before the start date %.', p_end_date, p_start_date
      using errcode = 'BD001';
  end if;
  if p_end_date - p_start_date + 1 > max_days then
    raise exception 'A range of % days is too long: slots are generated at most % days at a time.',
      p_end_date - p_start_date + 1, max_days
      using errcode = 'BD001';
  end if;

  if not exists (select 1 from public.branches b where b.id = p_branch_id) then
    raise exception 'Branch % does not exist.', p_branch_id using errcode = 'BD002';
  end if;
  if not public.caller_may_use_branch(p_branch_id) then
    raise exception 'This session may not generate slots for that branch.' using errcode = 'BD003';
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

  -- Remove future, never-booked slots that the configuration no longer produces.
  delete from public.benefit_slots s
  where s.branch_id = p_branch_id
    and s.local_date between p_start_date and p_end_date
    and s.starts_at > now()
    and s.booked_count = 0
    and not exists (select 1 from public.benefit_bookings b where b.slot_id = s.id)
    -- NOT IN over the plan: one hashed subplan, not the plan recomputed per existing slot.
    and (s.facility_id, s.starts_at, s.ends_at, s.capacity) not in (
      select w.facility_id, w.starts_at, w.ends_at, w.capacity
      from public.facility_slot_plan(p_branch_id, p_start_date, p_end_date) w
    );

  insert into public.benefit_slots
    (facility_id, branch_id, starts_at, ends_at, local_date, local_start, local_end, capacity)
  select w.facility_id, w.branch_id, w.starts_at, w.ends_at, w.local_date, w.local_start, w.local_end, w.capacity
  from public.facility_slot_plan(p_branch_id, p_start_date, p_end_date) w
  on conflict (facility_id, starts_at) do nothing;
  get diagnostics v_inserted = row_count;

  return v_inserted;
end
$$;
revoke execute on function public.ensure_facility_slots(uuid, date, date) from public, anon;
grant execute on function public.ensure_facility_slots(uuid, date, date)
  to authenticated, branch_desk, service_role;
