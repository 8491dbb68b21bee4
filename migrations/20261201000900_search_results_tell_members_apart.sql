-- Member search results that tell namesakes apart at a glance: each hit also carries its home
-- branch's name and the member's next live booking today, e.g. "Sauna 18:00" (at that booking's
-- branch, in its local time), so a desk with two "Ana Lopez" on screen picks the one standing at
-- the counter. The search itself (search_member_hits, 20261201000700) and who may call it
-- (desks and administrators, 20261201000200) are unchanged; the hits keep its order.
--
-- A desk sees today's booking only at the branches it works for (as row-level security would
-- show it); an administrator at any branch. The next one to come is shown before one under way
-- (started within the hour), a waitlist place says so, and a cancelled class shows nothing. A new result column means a new function: the old
-- one is dropped and this one granted exactly as it was.

drop function public.search_members(text, integer);

create function public.search_members(p_query text, p_limit integer default 20)
  returns table (
    member_id uuid, member_number text, first_name text, last_name text, email text, phone text,
    status text, home_branch_id uuid, plan_id uuid, score real,
    home_branch_name text, booked_today text
  )
  language plpgsql stable
  security definer
  set search_path = pg_catalog, public, extensions, pg_temp
as $$
declare
  v_kind text := public.caller_kind();
  -- null: every branch (an administrator).
  v_branches uuid[] := case when v_kind = 'desk' then public.desk_branch_ids() end;
begin
  if v_kind is null or v_kind not in ('desk', 'administrator') then
    return;
  end if;
  return query
    select h.member_id, h.member_number, h.first_name, h.last_name, h.email, h.phone, h.status,
           h.home_branch_id, h.plan_id, h.score, hb.name, today.what
    from public.search_member_hits(p_query, p_limit) with ordinality
           as h(member_id, member_number, first_name, last_name, email, phone, status,
                home_branch_id, plan_id, score, position)
    join public.branches hb on hb.id = h.home_branch_id
    left join lateral (
      select x.what
      from (
        select f.name || ' ' || to_char(bb.starts_at at time zone z.zone, 'HH24:MI')
                 || case when bb.status = 'waitlisted' then ' (waitlist)' else '' end as what, bb.starts_at
        from public.benefit_bookings bb
        join public.benefit_slots s on s.id = bb.slot_id
        join public.facilities f on f.id = s.facility_id
        join public.branches br on br.id = bb.branch_id
        -- Zone names are region names (branches_timezone_iana); 'UTC' is spelt so that no
        -- session's timezone_abbreviations can redefine it.
        cross join lateral (select case when br.timezone = 'UTC' then 'Etc/UTC' else br.timezone end as zone) z
        where bb.member_id = h.member_id
          and bb.status in ('booked', 'waitlisted')
          and bb.starts_at >= now() - interval '1 hour'
          and bb.starts_at < now() + interval '1 day'
          and (bb.starts_at at time zone z.zone)::date = (now() at time zone z.zone)::date
          and (v_branches is null or bb.branch_id = any (v_branches))
        union all
        select c.title || ' ' || to_char(cb.starts_at at time zone z.zone, 'HH24:MI')
                 || case when cb.status = 'waitlisted' then ' (waitlist)' else '' end, cb.starts_at
        from public.class_bookings cb
        join public.classes c on c.id = cb.class_id
        join public.branches br on br.id = cb.branch_id
        cross join lateral (select case when br.timezone = 'UTC' then 'Etc/UTC' else br.timezone end as zone) z
        where cb.member_id = h.member_id
          and not c.is_cancelled
          and cb.status in ('booked', 'waitlisted')
          and cb.starts_at >= now() - interval '1 hour'
          and cb.starts_at < now() + interval '1 day'
          and (cb.starts_at at time zone z.zone)::date = (now() at time zone z.zone)::date
          and (v_branches is null or cb.branch_id = any (v_branches))
      ) x
      order by x.starts_at < now(), x.starts_at
      limit 1
    ) today on true
    order by h.position;
end
$$;
revoke execute on function public.search_members(text, integer) from public, anon, authenticated;
grant execute on function public.search_members(text, integer) to branch_desk, service_role;
