-- Why: head office's All Bookings at 500 branches took about 109 s for its first page
-- (docs/deploy.md, "Growth"). The desk policies read `branch_id = any((select desk_branch_ids()))`;
-- the array is an InitPlan parameter the planner cannot see when it plans, so it costs it as a
-- few elements whatever it holds. For a head-office desk it holds every branch: the planner
-- expected ~2 % of the rows where there were all of them, and chose nested loops that ran for
-- minutes. Each policy now first asks whether the desk sees every branch (one boolean), and only
-- then the array. Behind that `or` the planner no longer drives the plan from the array's
-- estimate: it plans from the query's own conditions (dates, keys, the branch a filter names).
--
-- Same rows for every caller: a desk mapped in desk_roles with branch_id null (head office)
-- already got every branch from desk_branch_ids(), and every branch_id in these tables is
-- not null and refers to a branch. A branch desk and an unmapped desk get false from the new test
-- and the array as before. Tested by the row-level security matrix (core/tests/rls_matrix.rs),
-- the hostile-session suites, and bench/growth/measure.sh on a year of 500 branches. A branch desk
-- names its own branch in All Bookings (BookingFilter::for_desk), or the leading test would keep
-- its branch out of the indexes.

-- Whether the session is a head-office desk: a branch_desk login mapped with no branch. Like
-- desk_branch_ids(), it reads desk_roles as the caller (its policy shows a desk its own mapping
-- only) and keys on session_user, which a desk cannot change. PL/pgSQL, as desk_branch_ids() is
-- (20261128000300): a SQL function with a pinned search_path is planned afresh at every call.
create function public.desk_sees_every_branch() returns boolean
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  return exists (
    select 1 from public.desk_roles d
    where d.role_name = session_user::text and d.branch_id is null);
end
$$;
revoke execute on function public.desk_sees_every_branch() from public, anon, authenticated;
grant execute on function public.desk_sees_every_branch() to branch_desk, service_role;

alter policy benefit_bookings_desk_select on public.benefit_bookings
  using ((select public.desk_sees_every_branch())
         or branch_id = any ((select public.desk_branch_ids())::uuid[]));
alter policy class_bookings_desk_select on public.class_bookings
  using ((select public.desk_sees_every_branch())
         or branch_id = any ((select public.desk_branch_ids())::uuid[]));
alter policy classes_desk_select on public.classes
  using ((select public.desk_sees_every_branch())
         or branch_id = any ((select public.desk_branch_ids())::uuid[]));
alter policy benefit_slots_desk_select on public.benefit_slots
  using ((select public.desk_sees_every_branch())
         or branch_id = any ((select public.desk_branch_ids())::uuid[]));
alter policy facilities_desk_select on public.facilities
  using ((select public.desk_sees_every_branch())
         or branch_id = any ((select public.desk_branch_ids())::uuid[]));
