-- Classes and their bookings.
\set ON_ERROR_STOP 1
\ir session.sql
-- Classes: the generator's timetable, every day at every branch.
select gen.step('3 classes');
insert into public.classes (id, branch_id, title, instructor, starts_at, ends_at, capacity, booked_count, created_at)
select gen.uuid(x.k), b.id, t.title, t.instructor, x.starts_at, x.starts_at + make_interval(mins => t.minutes), t.capacity,
       (select count(*) from generate_series(1, gen.class_n(x.k, t.capacity, x.starts_at, p.now_ts)) j
        where gen.status(x.k || '/' || j, x.starts_at < p.now_ts) <> 'cancelled'),
       least(p.now_ts, x.starts_at - interval '60 days')
from gen.params p
cross join generate_series(p.first_day::timestamp, p.last_day::timestamp, interval '1 day') d
cross join gen.branch b
cross join gen.timetable t
cross join lateral (select (d + t.start) at time zone b.tz as starts_at) s
cross join lateral (select s.starts_at, 'c' || b.idx || '/' || extract(epoch from s.starts_at)::bigint as k) x
order by d, b.idx, t.start;
select gen.done('3 classes', (select count(*) from public.classes));


select gen.step('7 class_bookings');
insert into public.class_bookings (id, class_id, member_id, branch_id, starts_at, status, idempotency_key, booked_by_staff_id,
                                   capacity_override, override_reason, override_by_staff_id,
                                   created_at, status_changed_at, cancelled_at, cancelled_by, checked_in_at)
select gen.uuid(key || 'id'), class_id, member_id, branch_id, starts_at, status, gen.uuid(key || 'key'), staff,
       ovr, case when ovr then 'Member''s physio recommended an extra session' end, case when ovr then staff end,
       created_at, least(now_ts, starts_at - interval '1 day'),
       case when status = 'cancelled' then least(now_ts, starts_at - interval '1 day') end,
       case when status = 'cancelled' then case when staff is null then 'member' else 'staff' end end,
       case when status = 'attended' then starts_at - interval '5 minutes' end
from (
  select c.id as class_id, c.branch_id, c.starts_at, p.now_ts, k.k || '/' || j as key,
         gen.member_uuid(b.idx + p.branches * ((floor(gen.r(k.k || 'm') * p.members_per_branch)::int + j * 7919) % p.members_per_branch)) as member_id,
         gen.status(k.k || '/' || j, c.starts_at < p.now_ts) as status,
         case when gen.r(k.k || '/' || j || 's') < 0.4 then gen.uuid('staff' || b.idx || '-' || (1 + floor(gen.r(k.k || '/' || j || 't') * 4))::int) end as staff,
         gen.r(k.k || '/' || j || 'o') < 0.005 as ovr_draw,
         least(p.now_ts - interval '1 minute', c.starts_at - interval '7 days' + make_interval(secs => gen.r(k.k || '/' || j || 'c') * 518400)) as created_at
  from gen.params p
  cross join public.classes c
  join gen.branch b on b.id = c.branch_id
  cross join lateral (select 'c' || b.idx || '/' || extract(epoch from c.starts_at)::bigint as k) k
  cross join lateral generate_series(1, gen.class_n(k.k, c.capacity, c.starts_at, p.now_ts)) j
  where c.starts_at < p.now_ts + interval '14 days'
) x
cross join lateral (select x.staff is not null and x.ovr_draw as ovr) o
order by created_at;
select gen.done('7 class_bookings', (select count(*) from public.class_bookings));
