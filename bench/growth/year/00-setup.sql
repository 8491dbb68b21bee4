-- A year of a 500-branch club in a freshly migrated database: the files of this directory, run
-- by ../generate.sh as the superuser (00 first; 10+20 beside 30; 40 per table set; 50 last).
--
--   psql "$URL" -v names_sql=FILE [-v branches=500] [-v members_per_branch=2000]
--        [-v days_back=182] [-v days_ahead=182] -f 00-setup.sql
--
-- What it makes (everything deterministic except uuids of slots and bookings):
--   * branches in twelve IANA zones, four plans, 4 staff per branch and 10 at head office;
--   * 3 or 4 recovery facilities per branch with the generator's kinds and hours (slot lengths
--     15-30 minutes, one branch in 20 with its steam room under maintenance, one in four with
--     an infrared sauna on the documented defaults);
--   * members with the generator's names (core/src/generator/names.rs, loaded by names_sql.py),
--     emails and phones written the ways people type them;
--   * a timetable of 6 classes a day per branch;
--   * recovery slots for every local date from today - days_back to today + days_ahead, made by
--     public.facility_slot_plan (the plan ensure_facility_slots inserts) 28 days at a time for
--     every branch in turn, with benefit_slot_days recording each day under the branch's
--     current fingerprint: the rows a desk's ensure_facility_slots would have made, written
--     without its ON CONFLICT path (the real path is measured by measure.sh);
--   * bookings: past slots and classes filled by hour of day (peak 06-09 and 17-20), the next 14
--     days filling up, nothing booked further ahead; statuses as the generator's (attended,
--     no-show, cancelled; booked ahead), 40% made by staff, 1 in 200 of those an override; every
--     booking has an idempotency key, as book_* require. Inserted in creation order across
--     branches, as a live club writes them.
-- The big tables are loaded without their indexes and foreign keys; both are put back from
-- their saved definitions (checked identical) and validated, then VACUUM ANALYZE.
\set ON_ERROR_STOP 1
\ir session.sql
\if :{?branches} \else \set branches 500 \endif
\if :{?members_per_branch} \else \set members_per_branch 2000 \endif
\if :{?days_back} \else \set days_back 182 \endif
\if :{?days_ahead} \else \set days_ahead 182 \endif

drop schema if exists gen cascade;
create schema gen;
create table gen.params as
  select :branches::int as branches, :members_per_branch::int as members_per_branch,
         current_date - :days_back::int as first_day, current_date + :days_ahead::int as last_day,
         now() as now_ts;
create table gen.timings (step text primary key, started timestamptz not null default clock_timestamp(),
                          finished timestamptz, rows bigint);
create function gen.step(p text) returns void language sql as
  $$ insert into gen.timings (step) values (p) $$;
create function gen.done(p text, p_rows bigint) returns void language sql as
  $$ update gen.timings set finished = clock_timestamp(), rows = p_rows where step = p $$;

select gen.step('0 total');
select gen.step('1 reference data');

-- Deterministic draws: r(key) in [0, 1), uuid(key).
create function gen.r(t text) returns double precision language sql immutable parallel safe as
  $$ select ('x' || substr(md5(t), 1, 13))::bit(52)::bigint / 4503599627370496.0 $$;
create function gen.uuid(t text) returns uuid language sql immutable parallel safe as
  $$ select md5(t)::uuid $$;
create function gen.member_uuid(n bigint) returns uuid language sql immutable parallel safe as
  $$ select md5('member' || n)::uuid $$;

-- The generator's name lists and gen.ascii (names.rs ascii_letters).
create table gen.names (culture int, share int, kind text, rank int, name text, lo double precision);
\i :names_sql
update gen.names n set lo = x.lo
from (select culture, kind, rank,
             coalesce(sum(1.0 / rank) over (partition by culture, kind order by rank rows between unbounded preceding and 1 preceding), 0)
               / sum(1.0 / rank) over (partition by culture, kind) as lo
      from gen.names) x
where x.culture = n.culture and x.kind = n.kind and x.rank = n.rank;
create index on gen.names (culture, kind, lo);
create table gen.cultures as
  select culture, (coalesce(sum(share) over (order by culture rows between unbounded preceding and 1 preceding), 0))::float8
           / sum(share) over () as lo
  from (select distinct culture, share from gen.names) c;

-- Twelve zones (a dozen cities), branch i in zone i mod 12.
create table gen.zones (z int primary key, tz text, city text, style text);
insert into gen.zones values
  (0, 'Europe/London', 'London', 'uk'), (1, 'America/New_York', 'New York', 'us'),
  (2, 'Europe/Paris', 'Paris', 'uk'), (3, 'America/Chicago', 'Chicago', 'us'),
  (4, 'Europe/Berlin', 'Berlin', 'uk'), (5, 'America/Los_Angeles', 'Los Angeles', 'us'),
  (6, 'Australia/Sydney', 'Sydney', 'au'), (7, 'America/Sao_Paulo', 'São Paulo', 'us'),
  (8, 'Asia/Dubai', 'Dubai', 'uk'), (9, 'Asia/Kolkata', 'Mumbai', 'uk'),
  (10, 'Asia/Singapore', 'Singapore', 'au'), (11, 'Asia/Tokyo', 'Tokyo', 'au');

insert into public.branches (id, code, name, timezone)
select gen.uuid('branch' || i), 'B' || lpad(i::text, 3, '0'),
       z.city || ' ' || (array['Riverside', 'Central', 'North', 'Harbour', 'Park', 'Station', 'Old Town',
                               'Docklands', 'West End', 'Market', 'Bridge', 'Gardens'])[1 + (i / 12) % 12]
         || case when i / 144 > 0 then ' ' || (i / 144 + 1) else '' end,
       z.tz
from generate_series(1, :branches) i
join gen.zones z on z.z = i % 12;
create table gen.branch as
  select i as idx, gen.uuid('branch' || i) as id, z.tz, z.style
  from generate_series(1, :branches) i join gen.zones z on z.z = i % 12;

-- Plans as core/src/generator/seeds.rs.
insert into public.membership_plans (id, code, name, cancel_window_minutes) values
  (gen.uuid('plan1'), 'ESSENTIAL', 'Essential', 120), (gen.uuid('plan2'), 'PLUS', 'Plus', 120),
  (gen.uuid('plan3'), 'RECOVERY', 'Recovery Weekly', 60), (gen.uuid('plan4'), 'PREMIUM', 'Premium Unlimited', 30);
insert into public.plan_entitlements (plan_id, kind, period, sessions_per_period) values
  (gen.uuid('plan1'), 'recovery', 'month', 2), (gen.uuid('plan1'), 'class', 'month', 8),
  (gen.uuid('plan2'), 'recovery', 'month', 4), (gen.uuid('plan2'), 'class', 'month', 12),
  (gen.uuid('plan3'), 'recovery', 'week', 3), (gen.uuid('plan3'), 'class', 'week', 2),
  (gen.uuid('plan4'), 'recovery', 'month', null), (gen.uuid('plan4'), 'class', 'month', null);

-- Facilities: the generator's four kinds. Slots a branch-day: sauna 48, cold plunge 64 (Mon-Sat),
-- steam room 45 (under maintenance at every 20th branch), infrared sauna 64 at half the
-- branches, the documented defaults (30 min, Mon/Wed/Fri-Sun) at a quarter, none at a quarter.
insert into public.facilities (id, branch_id, name, kind, under_maintenance, available_days)
select gen.uuid('facility' || b.idx || f.name), b.id, f.name, f.kind,
       f.name = 'Steam Room' and b.idx % 20 = 0, f.days
from gen.branch b
cross join (values ('Sauna', 'sauna', '{1,2,3,4,5,6,7}'::int[]),
                   ('Cold Plunge', 'cold_plunge', '{1,2,3,4,5,6}'),
                   ('Steam Room', 'steam_room', '{1,2,3,4,5,6,7}'),
                   ('Infrared Sauna', 'infrared_sauna', '{1,2,3,4,5,6,7}')) f(name, kind, days)
where not (f.name = 'Infrared Sauna' and b.idx % 4 = 0);
update public.facilities f set available_days = '{1,3,5,6,7}'
from gen.branch b where b.id = f.branch_id and f.name = 'Infrared Sauna' and b.idx % 4 = 1;
insert into public.benefit_settings (facility_id, open_time, close_time, slot_minutes, capacity)
select f.id, s.open, s.close, s.minutes, s.capacity
from public.facilities f
join gen.branch b on b.id = f.branch_id
join (values ('Sauna', time '06:00', time '22:00', 20, 8), ('Cold Plunge', '06:00', '22:00', 15, 2),
             ('Steam Room', '07:00', '22:00', 20, 6), ('Infrared Sauna', '06:00', '22:00', 15, 4)) s(name, open, close, minutes, capacity)
  on s.name = f.name
where not (f.name = 'Infrared Sauna' and b.idx % 4 = 1);

-- Staff: a manager and three front desk per branch, ten head-office managers.
insert into public.staff (id, branch_id, email, full_name, role, pin_hash)
select gen.uuid('staff' || b.idx || '-' || s), b.id, format('desk%s.b%s@branchdesk.example', s, lpad(b.idx::text, 3, '0')),
       (array['Maya Okafor', 'Frank Ellis', 'Ruth Ahmed', 'Nina Alvarez', 'Ben Carter', 'Sam Walker', 'Lily Tran'])[1 + (b.idx + s) % 7],
       case when s = 1 then 'manager' else 'front_desk' end,
       '$argon2id$v=19$m=19456,t=2,p=1$' || md5('pin' || b.idx || s)
from gen.branch b cross join generate_series(1, 4) s;
insert into public.staff (id, branch_id, email, full_name, role, pin_hash)
select gen.uuid('hq' || s), null, format('hq%s@branchdesk.example', s), 'Helen Quinn ' || s, 'manager',
       '$argon2id$v=19$m=19456,t=2,p=1$' || md5('hq' || s)
from generate_series(1, 10) s;
select gen.done('1 reference data', (select count(*) from public.facilities));

-- The big tables' keys, indexes and foreign keys, saved, then dropped for the load.
create function gen.big() returns regclass[] language sql stable as
  $$ select array['public.members', 'public.classes', 'public.class_bookings', 'public.benefit_slots',
                  'public.benefit_bookings', 'public.benefit_slot_days']::regclass[] $$;
create table gen.ddl (ord int, tbl regclass, name text, def text);
insert into gen.ddl
select case c.contype when 'p' then 1 when 'u' then 2 else 4 end, c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)
from pg_constraint c
where c.contype in ('p', 'u', 'f')
  and (c.conrelid = any (gen.big()) or (c.contype = 'f' and c.confrelid = any (gen.big())))
union all
select 3, i.indrelid::regclass, ic.relname, pg_get_indexdef(i.indexrelid)
from pg_index i join pg_class ic on ic.oid = i.indexrelid
where i.indrelid = any (gen.big())
  and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'));
create view gen.current_ddl as
select c.conrelid::regclass as tbl, c.conname as name, pg_get_constraintdef(c.oid) as def
from pg_constraint c
where c.contype in ('p', 'u', 'f')
  and (c.conrelid = any (gen.big()) or (c.contype = 'f' and c.confrelid = any (gen.big())))
union all
select i.indrelid::regclass, ic.relname, pg_get_indexdef(i.indexrelid)
from pg_index i join pg_class ic on ic.oid = i.indexrelid
where i.indrelid = any (gen.big())
  and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'));

select format('alter table %s drop constraint %I', tbl, name) from gen.ddl where ord = 4 \gexec
select format('alter table %s drop constraint %I', tbl, name) from gen.ddl where ord in (1, 2) \gexec
select format('drop index public.%I', name) from gen.ddl where ord = 3 \gexec

-- Members: the generator's cultures, names roughly Zipf, 12% registered without accents and 3%
-- spelt out, 3% of English surnames double-barrelled; emails and phones as members.rs writes them.
create function gen.slug(s text) returns text language sql immutable as
  $$ select lower(regexp_replace(gen.ascii(s, false), '[^A-Za-z0-9]', '', 'g')) $$;
-- (One expression, no FROM: PostgreSQL inlines it.) d: 12 digits, f: 0-5, ar: a US area code.
create function gen.phone_fmt(d text, f int, ar text, style text) returns text language sql immutable as $$
  select case style
    when 'uk' then case f when 0 then '+44 7' || substr(d, 1, 3) || ' ' || substr(d, 4, 6)
                          when 1 then '07' || substr(d, 1, 3) || ' ' || substr(d, 4, 3) || ' ' || substr(d, 7, 3)
                          when 2 then '07' || substr(d, 1, 3) || substr(d, 4, 6)
                          when 3 then '+44 (0)7' || substr(d, 1, 3) || ' ' || substr(d, 4, 6)
                          when 4 then '0044 7' || substr(d, 1, 3) || ' ' || substr(d, 4, 6)
                          else '07' || substr(d, 1, 3) || ' ' || substr(d, 4, 6) end
    when 'us' then case f when 0 then '(' || ar || ') ' || substr(d, 1, 3) || '-' || substr(d, 4, 4)
                          when 1 then ar || '-' || substr(d, 1, 3) || '-' || substr(d, 4, 4)
                          when 2 then '+1 ' || ar || ' ' || substr(d, 1, 3) || ' ' || substr(d, 4, 4)
                          when 3 then ar || substr(d, 1, 3) || substr(d, 4, 4)
                          when 4 then ar || '.' || substr(d, 1, 3) || '.' || substr(d, 4, 4)
                          else '+1 (' || ar || ') ' || substr(d, 1, 3) || '-' || substr(d, 4, 4) end
    else case f % 4 when 0 then '04' || substr(d, 1, 2) || ' ' || substr(d, 3, 3) || ' ' || substr(d, 6, 3)
                    when 1 then '+61 4' || substr(d, 1, 2) || ' ' || substr(d, 3, 3) || ' ' || substr(d, 6, 3)
                    when 2 then '04' || substr(d, 1, 2) || substr(d, 3, 3) || substr(d, 6, 3)
                    else '+614' || substr(d, 1, 2) || substr(d, 3, 3) || substr(d, 6, 3) end
  end
$$;
create function gen.make_members(p_from bigint, p_to bigint) returns bigint language plpgsql as $$
declare
  v_rows bigint;
begin
  insert into public.members (id, user_id, member_number, first_name, last_name, email, phone, status,
                              plan_id, home_branch_id, joined_on)
  select gen.member_uuid(n), case when gen.r('u' || n) < 0.7 then gen.uuid('user' || n) end,
         'M' || lpad(n::text, 7, '0'), first_name, last_name,
         case when e < 0.05 then null
              when e < 0.60 then format('%s.%s%s@%s', gen.slug(first_name), gen.slug(last_name), n % 1000, dom)
              when e < 0.85 then format('%s%s%s@%s', coalesce(nullif(left(gen.slug(first_name), 1), ''), 'x'), gen.slug(last_name), n, dom)
              else format('%s.%s%s@%s', gen.slug(last_name), gen.slug(first_name), n, dom) end,
         case when gen.r('ph' || n) >= 0.03 then gen.phone_fmt(pd, pf, par, style) end,
         case when st < 0.90 then 'active' when st < 0.95 then 'frozen' when st < 0.98 then 'cancelled' else 'pending' end,
         gen.uuid('plan' || (1 + floor(gen.r('pl' || n) * 4))::int), branch_id,
         date '2020-01-01' + ((n * 7919) % 2400)::int
  from (
    select n, b.id as branch_id, b.style, gen.r('e' || n) as e, gen.r('st' || n) as st,
           lpad(((('x' || substr(md5('p' || n), 1, 12))::bit(48)::bigint) % 1000000000000)::text, 12, '0') as pd,
           floor(gen.r('pf' || n) * 6)::int as pf,
           (array['212', '347', '646', '718', '917', '929', '332'])[1 + floor(gen.r('pa' || n) * 7)::int] as par,
           (array['example.com', 'mail.example.org', 'example.net', 'inbox.example.co.uk', 'post.example.com.au'])[1 + floor(gen.r('d' || n) * 5)::int] as dom,
           case when fold < 0.12 then gen.ascii(given, false) when fold < 0.15 then gen.ascii(given, true) else given end as first_name,
           case when fold < 0.12 then gen.ascii(family, false) when fold < 0.15 then gen.ascii(family, true) else family end as last_name
    from (
      select n, fold, given,
             case when culture = 1 and gen.r('db' || n) < 0.03 and family2 <> family then family || '-' || family2 else family end as family
      from (
        select n, k.culture, gen.r('a' || n) as fold,
               (select g.name from gen.names g where g.culture = k.culture and g.kind = 'given' and g.lo <= gen.r('g' || n) order by g.lo desc limit 1) as given,
               (select g.name from gen.names g where g.culture = k.culture and g.kind = 'family' and g.lo <= gen.r('f' || n) order by g.lo desc limit 1) as family,
               (select g.name from gen.names g where g.culture = k.culture and g.kind = 'family' and g.lo <= gen.r('f2' || n) order by g.lo desc limit 1) as family2
        from generate_series(p_from, p_to) n
        cross join lateral (select c.culture from gen.cultures c where c.lo <= gen.r('c' || n) order by c.lo desc limit 1) k
      ) x
    ) y
    join gen.branch b on b.idx = 1 + (y.n - 1) % (select branches from gen.params)
  ) z;
  get diagnostics v_rows = row_count;
  return v_rows;
end
$$;

-- Booking draws, shared by the slot, class and booking passes (so counters equal the rows).
create function gen.status(k text, past boolean) returns text language sql immutable as $$
  select case when past then (array['attended', 'no_show', 'cancelled'])[width_bucket(gen.r(k), array[0, 0.85, 0.92]::float8[])]
              else (array['booked', 'cancelled'])[width_bucket(gen.r(k), array[0, 0.92]::float8[])] end
$$;
-- Bookings in a recovery slot: peak hours 45% of slots booked, else 15%; the next 14 days fill
-- up towards today; further ahead none. When booked, 1 to capacity (mostly few).
create function gen.slot_n(k text, local_start time, capacity int, starts timestamptz, now_ts timestamptz)
  returns int language sql immutable as $$
  select case
    when starts >= now_ts + interval '14 days' then 0
    when gen.r(k || 'b') < (case when (local_start >= '06:00' and local_start < '09:00') or (local_start >= '17:00' and local_start < '20:00')
                                 then 0.45 else 0.15 end)
                           * (case when starts <= now_ts then 1.0 else 1.0 - extract(epoch from starts - now_ts) / (15 * 86400) end)
      then least(capacity, 1 + floor(power(gen.r(k || 'n'), 2) * capacity)::int)
    else 0 end
$$;
-- Bookings in a class: 30-95% of capacity; the next 14 days filling up; none further ahead.
create function gen.class_n(k text, capacity int, starts timestamptz, now_ts timestamptz)
  returns int language sql immutable as $$
  select case when starts >= now_ts + interval '14 days' then 0
              else round(capacity * (0.3 + 0.65 * gen.r(k || 'f'))
                         * (case when starts <= now_ts then 1.0 else 1.0 - extract(epoch from starts - now_ts) / (15 * 86400) end))::int end
$$;

-- The generator's class timetable (core/src/generator/activity.rs).
create table gen.timetable (title text, start time, minutes int, capacity int, instructor text);
insert into gen.timetable values
  ('Sunrise Yoga', '07:00', 60, 18, 'Ana Ruiz'), ('HIIT Express', '09:30', 30, 20, 'Tom Becker'),
  ('Lunchtime Spin', '12:15', 45, 24, 'Priya Nair'), ('Pilates Core', '17:30', 50, 14, 'Kofi Mensah'),
  ('Boxing Fundamentals', '18:45', 60, 16, 'Ana Ruiz'), ('Candlelit Stretch', '20:00', 45, 12, 'Tom Becker');

-- Recovery slots: facility_slot_plan, 28 days at a time, every branch in turn (as desks open
-- weeks across the club), booked_count from the booking draws.
create function gen.make_slots(p_idx int, p_branch uuid, p_from date, p_to date) returns bigint language plpgsql as $$
declare
  v_now timestamptz := (select now_ts from gen.params);
  v_rows bigint;
begin
  insert into public.benefit_slots (id, facility_id, branch_id, starts_at, ends_at, local_date, local_start, local_end,
                                    capacity, booked_count, created_at)
  select gen.uuid(k.k), w.facility_id, w.branch_id, w.starts_at, w.ends_at, w.local_date, w.local_start, w.local_end, w.capacity,
         (select count(*) from generate_series(1, gen.slot_n(k.k, w.local_start, w.capacity, w.starts_at, v_now)) j
          where gen.status(k.k || '/' || j, w.starts_at < v_now) <> 'cancelled'),
         least(v_now, w.starts_at - interval '28 days')
  from public.facility_slot_plan(p_branch, p_from, p_to) w
  cross join lateral (select w.facility_id::text || '/' || extract(epoch from w.starts_at)::bigint as k) k;
  get diagnostics v_rows = row_count;
  return v_rows;
end
$$;
