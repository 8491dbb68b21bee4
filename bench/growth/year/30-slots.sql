-- Recovery slots, their days' records and their bookings.
\set ON_ERROR_STOP 1
\ir session.sql
-- Recovery slots: facility_slot_plan, 28 days at a time, every branch in turn (as desks open
-- weeks across the club), booked_count from the booking draws.
select gen.step('4 benefit_slots');
\o /dev/null
select format('select gen.make_slots(%s, %L, %L, %L)', b.idx, b.id, d::date, least(d::date + 27, p.last_day))
from gen.params p
cross join generate_series(p.first_day::timestamp, p.last_day::timestamp, interval '28 days') d
cross join gen.branch b
order by d, b.idx \gexec
\o
select gen.done('4 benefit_slots', (select count(*) from public.benefit_slots));

select gen.step('5 benefit_slot_days');
insert into public.benefit_slot_days (branch_id, local_date, fingerprint, made_at)
select b.id, d::date, b.fingerprint, least(p.now_ts, d - interval '28 days')
from gen.params p
cross join generate_series(p.first_day::timestamp, p.last_day::timestamp, interval '1 day') d
cross join (select b.idx, b.id, public.facility_slot_fingerprint(b.id) as fingerprint from gen.branch b) b
order by d, b.idx;
select gen.done('5 benefit_slot_days', (select count(*) from public.benefit_slot_days));

-- Bookings, in the order a live club writes them (by when they were made, across branches).
select gen.step('6 benefit_bookings');
insert into public.benefit_bookings (id, slot_id, member_id, branch_id, starts_at, status, idempotency_key, booked_by_staff_id,
                                     capacity_override, override_reason, override_by_staff_id,
                                     created_at, status_changed_at, cancelled_at, cancelled_by, checked_in_at)
select gen.uuid(key || 'id'), slot_id, member_id, branch_id, starts_at, status, gen.uuid(key || 'key'), staff,
       ovr, case when ovr then 'Member''s physio recommended an extra session' end, case when ovr then staff end,
       created_at, least(now_ts, starts_at - interval '1 day'),
       case when status = 'cancelled' then least(now_ts, starts_at - interval '1 day') end,
       case when status = 'cancelled' then case when staff is null then 'member' else 'staff' end end,
       case when status = 'attended' then starts_at - interval '5 minutes' end
from (
  select s.id as slot_id, s.branch_id, s.starts_at, p.now_ts, k.k || '/' || j as key,
         gen.member_uuid(b.idx + p.branches * ((floor(gen.r(k.k || 'm') * p.members_per_branch)::int + j * 7919) % p.members_per_branch)) as member_id,
         gen.status(k.k || '/' || j, s.starts_at < p.now_ts) as status,
         case when gen.r(k.k || '/' || j || 's') < 0.4 then gen.uuid('staff' || b.idx || '-' || (1 + floor(gen.r(k.k || '/' || j || 't') * 4))::int) end as staff,
         gen.r(k.k || '/' || j || 'o') < 0.005 as ovr_draw,
         least(p.now_ts - interval '1 minute', s.starts_at - interval '3 days' + make_interval(secs => gen.r(k.k || '/' || j || 'c') * 172800)) as created_at
  from gen.params p
  cross join public.benefit_slots s
  join gen.branch b on b.id = s.branch_id
  cross join lateral (select s.facility_id::text || '/' || extract(epoch from s.starts_at)::bigint as k) k
  cross join lateral generate_series(1, gen.slot_n(k.k, s.local_start, s.capacity, s.starts_at, p.now_ts)) j
  where s.starts_at < p.now_ts + interval '14 days'
) x
cross join lateral (select x.staff is not null and x.ovr_draw as ovr) o
order by created_at;
select gen.done('6 benefit_bookings', (select count(*) from public.benefit_bookings));
