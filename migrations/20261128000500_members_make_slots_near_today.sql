-- Members make slots only near today; desks anywhere.
--
-- ensure_facility_slots capped only the length of a range (62 days). A member session could call
-- it for year 3000, 3001, ... and each call wrote thousands of slots nobody will book. A member's
-- app shows this week and the weeks ahead, so a member's range must lie within a week before and
-- 92 days after the branch's today. Desks keep any range: managers look back at past weeks and
-- plan ahead, and desks are staff.
--
-- The rules of making slots stay in the function renamed here (materialise_facility_slots, from
-- 20261128000200); ensure_facility_slots, the name members and desks call, checks the member's
-- window and then calls it. Only the definer (through this function) may call the renamed one.
alter function public.ensure_facility_slots(uuid, date, date) rename to materialise_facility_slots;
revoke execute on function public.materialise_facility_slots(uuid, date, date)
  from public, anon, authenticated, branch_desk, service_role;

create function public.ensure_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
  returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  days_back constant integer := 7;
  days_ahead constant integer := 92;
  v_today date;
begin
  if auth.uid() is not null and p_start_date is not null and p_end_date is not null then
    select (now() at time zone b.timezone)::date into v_today from public.branches b where b.id = p_branch_id;
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
revoke execute on function public.ensure_facility_slots(uuid, date, date) from public, anon;
grant execute on function public.ensure_facility_slots(uuid, date, date)
  to authenticated, branch_desk, service_role;
