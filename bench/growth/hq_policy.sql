-- Prototype (rolled back; not a migration): All Bookings for the head-office desk at 500 branches.
-- The desk policies read `branch_id = ANY ((SELECT desk_branch_ids())::uuid[])`: for head office
-- that is an array of every branch, which the planner cannot see when it plans (an InitPlan
-- parameter) and costs as a few elements: it expects ~2% of the rows where there are all of
-- them, and picks nested loops that run for minutes. Here the policies of the tables All Bookings
-- joins get a leading test the planner costs as it is: `(SELECT desk_sees_every_branch()) OR
-- branch_id = ANY (...)`, true for a desk mapped with branch_id NULL. Same rows for every desk.
-- Run by hq_policy.sh: the plans before and after, as head office and as a branch desk.
\set ON_ERROR_STOP 1
begin;
create function public.desk_sees_every_branch() returns boolean
  language sql stable
  set search_path = pg_catalog, public, pg_temp
as $$ select exists (select 1 from public.desk_roles d where d.role_name = session_user::text and d.branch_id is null) $$;
grant execute on function public.desk_sees_every_branch() to branch_desk;
alter policy benefit_bookings_desk_select on public.benefit_bookings
  using ((select public.desk_sees_every_branch()) or branch_id = any ((select public.desk_branch_ids())::uuid[]));
alter policy class_bookings_desk_select on public.class_bookings
  using ((select public.desk_sees_every_branch()) or branch_id = any ((select public.desk_branch_ids())::uuid[]));
alter policy classes_desk_select on public.classes
  using ((select public.desk_sees_every_branch()) or branch_id = any ((select public.desk_branch_ids())::uuid[]));
alter policy benefit_slots_desk_select on public.benefit_slots
  using ((select public.desk_sees_every_branch()) or branch_id = any ((select public.desk_branch_ids())::uuid[]));
alter policy facilities_desk_select on public.facilities
  using ((select public.desk_sees_every_branch()) or branch_id = any ((select public.desk_branch_ids())::uuid[]));
