-- Why: generating a branch-month of recovery slots must take under 30 ms, and calling it again
-- when nothing changed under 3 ms (issue 6, README "Benchmarks"). Members' apps and desks call
-- ensure_facility_slots every time they show a week, so the no-op call is the common one.
--   * benefit_slot_days records, per branch and local date, a fingerprint of the configuration
--     the day's slots were last made from. A call whose every date carries the current
--     fingerprint has nothing to add or remove: it returns after one indexed read. The rules of
--     20261127000400 are unchanged: a changed setting, a facility closed, reopened or under
--     maintenance, or a new time zone changes the fingerprint, and the day is made again.
--     Slots removed or moved by anyone else make their day again on the next call.
--   * facility_slot_plan computes a day's instants from its local midnight when the day has
--     one UTC offset throughout (every day but the two clock changes a year, which keep the
--     careful per-slot reading).
--   * benefit_slots checks its facility and branch with one composite foreign key instead of
--     two (and now also that the slot's branch is its facility's branch).

create table public.benefit_slot_days (
  branch_id uuid not null references public.branches (id),
  local_date date not null,
  -- public.facility_slot_fingerprint(branch_id) when the day's slots were last made.
  fingerprint text not null,
  made_at timestamptz not null default now(),
  primary key (branch_id, local_date)
);
comment on table public.benefit_slot_days is
  'Which configuration each branch-day''s slots were last made from (ensure_facility_slots only). Delete rows to make days again.';
alter table public.benefit_slot_days enable row level security;
revoke all on table public.benefit_slot_days from public, anon, authenticated, branch_desk;
grant select, insert, update, delete on table public.benefit_slot_days to service_role;

-- A day whose slots were removed or moved by anyone else (an administrator's clean-up, say) is
-- made again by the next call. Updates of booked_count (every booking) do not count.
create function public.benefit_slot_days_forget() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, public
as $$
begin
  if tg_level = 'STATEMENT' then
    delete from public.benefit_slot_days d
    using (select distinct r.branch_id, r.local_date from removed r) r
    where d.branch_id = r.branch_id and d.local_date = r.local_date;
  else
    delete from public.benefit_slot_days d
    where (d.branch_id, d.local_date) in ((old.branch_id, old.local_date), (new.branch_id, new.local_date));
  end if;
  return null;
end
$$;
revoke execute on function public.benefit_slot_days_forget() from public, anon, authenticated;
create trigger benefit_slots_forget_removed after delete on public.benefit_slots
  referencing old table as removed for each statement execute function public.benefit_slot_days_forget();
create trigger benefit_slots_forget_changed
  after update of facility_id, branch_id, starts_at, ends_at, local_date, local_start, local_end, capacity
  on public.benefit_slots
  for each row execute function public.benefit_slot_days_forget();

-- Everything facility_slot_plan reads for a branch, as one hash: the branch's time zone and
-- each active, working facility's days, hours, slot length and capacity. (PL/pgSQL, like the
-- plan below: it keeps its plan for the session, where a SQL function with a pinned
-- search_path is planned on every call.)
create function public.facility_slot_fingerprint(p_branch_id uuid) returns text
  language plpgsql stable
  set search_path = pg_catalog, public
as $$
begin
  return (
    select md5(concat_ws('|', b.timezone, (
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
revoke execute on function public.facility_slot_fingerprint(uuid) from public, anon, authenticated;

create or replace function public.facility_slot_plan(p_branch_id uuid, p_start_date date, p_end_date date)
  returns table (
    facility_id uuid, branch_id uuid, starts_at timestamptz, ends_at timestamptz,
    local_date date, local_start time, local_end time, capacity integer
  )
  language plpgsql stable
  set search_path = pg_catalog, public
as $$
begin
  return query
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
  days as materialized (
    -- A day whose local midnights are 24 hours apart has one UTC offset throughout. (Computed
    -- once per day: inlined, the planner would redo these conversions for every slot.)
    select c.*, d as day, d at time zone c.tz as midnight,
           ((d + interval '1 day') at time zone c.tz) - (d at time zone c.tz) = interval '24 hours' as one_offset
    from config c
    cross join generate_series(p_start_date::timestamp, p_end_date::timestamp, interval '1 day') d
    where extract(isodow from d)::integer = any (c.available_days)
  ),
  local_slots as (
    select y.facility_id, y.branch_id, y.tz, y.slot_length, y.capacity, y.one_offset,
           y.day::date as local_date, t as local_start,
           case when y.one_offset then y.midnight + (t - y.day)
           else (
             -- A clock-change day. Two readings of each wall-clock time: PostgreSQL's own, and
             -- one using the UTC offset in force six hours earlier (before any transition that
             -- day). Keep the readings that map back to the same wall-clock time and take the
             -- earliest: a time in the spring-forward gap has none (no slot), an ambiguous
             -- fall-back time gets its first occurrence.
             select min(x)
             from unnest(array[t at time zone y.tz,
                               ((t - interval '6 hours') at time zone y.tz) + interval '6 hours']) x
             where x at time zone y.tz = t)
           end as starts_at
    from days y
    cross join lateral generate_series(y.day + y.open_time, y.day + y.close_time - y.slot_length, y.slot_length) t
  )
  select l.facility_id, l.branch_id, l.starts_at, l.starts_at + l.slot_length, l.local_date,
         l.local_start::time,
         case when l.one_offset then (l.local_start + l.slot_length)::time
              else ((l.starts_at + l.slot_length) at time zone l.tz)::time end,
         l.capacity
  from local_slots l
  where l.starts_at is not null;
end
$$;

-- One foreign key check per slot instead of two.
alter table public.facilities add constraint facilities_id_branch_key unique (id, branch_id);
alter table public.benefit_slots
  add constraint benefit_slots_facility_branch_fkey
    foreign key (facility_id, branch_id) references public.facilities (id, branch_id),
  drop constraint benefit_slots_facility_id_fkey,
  drop constraint benefit_slots_branch_id_fkey;

create or replace function public.ensure_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
  returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  max_days constant integer := 62;
  v_inserted integer;
  v_broken text;
  v_fingerprint text;
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

  v_fingerprint := public.facility_slot_fingerprint(p_branch_id);
  if v_fingerprint is null then
    raise exception 'Branch % does not exist.', p_branch_id using errcode = 'BD002';
  end if;
  if not public.caller_may_use_branch(p_branch_id) then
    raise exception 'This session may not generate slots for that branch.' using errcode = 'BD003';
  end if;

  -- Nothing changed since every day of the range was made: nothing to add or remove.
  if (select count(*) from public.benefit_slot_days d
      where d.branch_id = p_branch_id and d.local_date between p_start_date and p_end_date
        and d.fingerprint = v_fingerprint) = p_end_date - p_start_date + 1 then
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

  insert into public.benefit_slot_days (branch_id, local_date, fingerprint)
  select p_branch_id, d::date, v_fingerprint
  from generate_series(p_start_date::timestamp, p_end_date::timestamp, interval '1 day') d
  on conflict (branch_id, local_date)
    do update set fingerprint = excluded.fingerprint, made_at = excluded.made_at;

  return v_inserted;
end
$$;
