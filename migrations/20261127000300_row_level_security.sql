-- Why: who may read and write what, enforced by PostgreSQL for every client (the members' app,
-- every branch desk, anything else with a login). SPEC.md "Who is who".
--
-- Callers:
--   anon            reads nothing, runs nothing.
--   authenticated   a member: `set role authenticated` + request.jwt.claims {"sub": members.user_id}.
--   branch_desk     group of the desks' LOGIN roles; a desk is told apart by session_user through
--                   desk_roles (one branch, or every branch for a head-office manager desk).
--
-- Design (S = select, I/U/D = insert/update/delete; "-" = denied):
--   table              member (authenticated)               desk (branch_desk)
--   branches           S all                                S all (names and time zones)
--   desk_roles         -                                    S its own row
--   membership_plans   S all                                S all
--   plan_entitlements  S all                                S all
--   members            S own row                            S all (search is club-wide)
--   staff              -                                    S its branches' staff + head office
--   facilities         S active ones                        S its branches; U under_maintenance, is_active
--   benefit_settings   S of active facilities               S its branches
--   benefit_slots      S of active, working facilities      S its branches
--   benefit_bookings   S own                                S its branches
--   classes            S not cancelled                      S its branches
--   class_bookings     S own                                S its branches
-- Every other write goes through SECURITY DEFINER functions (ensure_facility_slots, booking
-- functions) that check the caller themselves. Supabase grants ALL on new tables to anon and
-- authenticated by default, so each table's grants are reset here explicitly.

-- Branches the current desk (session_user) acts for; empty for anyone who is not a desk.
-- Invoker's rights: it reads desk_roles (own row only) and branches (readable by desks).
create function public.desk_branch_ids() returns uuid[]
  language sql stable
  set search_path = pg_catalog, public
as $$
  select coalesce(array_agg(b.id), '{}')
  from public.branches b
  where exists (
    select 1 from public.desk_roles d
    where d.role_name = session_user::text
      and (d.branch_id is null or d.branch_id = b.id)
  )
$$;
revoke execute on function public.desk_branch_ids() from public;
grant execute on function public.desk_branch_ids() to branch_desk, service_role;

revoke execute on function public.is_iana_time_zone(text) from public;
grant execute on function public.is_iana_time_zone(text) to branch_desk, authenticated, service_role;

do $$
declare
  t text;
begin
  foreach t in array array['branches', 'desk_roles', 'membership_plans', 'plan_entitlements',
                           'members', 'staff', 'facilities', 'benefit_settings', 'benefit_slots',
                           'benefit_bookings', 'classes', 'class_bookings'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant select, insert, update, delete on table public.%I to service_role', t);
    execute format('grant select on table public.%I to branch_desk', t);
  end loop;
end
$$;

grant select on public.branches, public.membership_plans, public.plan_entitlements, public.members,
  public.facilities, public.benefit_settings, public.benefit_slots, public.benefit_bookings,
  public.classes, public.class_bookings
  to authenticated;
grant update (under_maintenance, is_active) on public.facilities to branch_desk;

-- branches
create policy branches_member_select on public.branches for select to authenticated
  using (exists (select 1 from public.members m where m.user_id = (select auth.uid())));
create policy branches_desk_select on public.branches for select to branch_desk
  using (true);

-- desk_roles
create policy desk_roles_desk_select on public.desk_roles for select to branch_desk
  using (role_name = session_user::text);

-- membership_plans, plan_entitlements
create policy membership_plans_member_select on public.membership_plans for select to authenticated
  using (exists (select 1 from public.members m where m.user_id = (select auth.uid())));
create policy membership_plans_desk_select on public.membership_plans for select to branch_desk
  using (true);
create policy plan_entitlements_member_select on public.plan_entitlements for select to authenticated
  using (exists (select 1 from public.members m where m.user_id = (select auth.uid())));
create policy plan_entitlements_desk_select on public.plan_entitlements for select to branch_desk
  using (true);

-- members
create policy members_member_select on public.members for select to authenticated
  using (user_id = (select auth.uid()));
create policy members_desk_select on public.members for select to branch_desk
  using (true);

-- staff
create policy staff_desk_select on public.staff for select to branch_desk
  using (branch_id is null or branch_id = any ((select public.desk_branch_ids())::uuid[]));

-- facilities
create policy facilities_member_select on public.facilities for select to authenticated
  using (is_active and exists (select 1 from public.members m where m.user_id = (select auth.uid())));
create policy facilities_desk_select on public.facilities for select to branch_desk
  using (branch_id = any ((select public.desk_branch_ids())::uuid[]));
create policy facilities_desk_update on public.facilities for update to branch_desk
  using (branch_id = any ((select public.desk_branch_ids())::uuid[]))
  with check (branch_id = any ((select public.desk_branch_ids())::uuid[]));

-- benefit_settings
create policy benefit_settings_member_select on public.benefit_settings for select to authenticated
  using (exists (select 1 from public.facilities f where f.id = facility_id));
create policy benefit_settings_desk_select on public.benefit_settings for select to branch_desk
  using (exists (select 1 from public.facilities f where f.id = facility_id));

-- benefit_slots
create policy benefit_slots_member_select on public.benefit_slots for select to authenticated
  using (exists (
    select 1 from public.facilities f
    where f.id = facility_id and f.is_active and not f.under_maintenance
  ));
create policy benefit_slots_desk_select on public.benefit_slots for select to branch_desk
  using (branch_id = any ((select public.desk_branch_ids())::uuid[]));

-- benefit_bookings
create policy benefit_bookings_member_select on public.benefit_bookings for select to authenticated
  using (member_id = (select m.id from public.members m where m.user_id = (select auth.uid())));
create policy benefit_bookings_desk_select on public.benefit_bookings for select to branch_desk
  using (branch_id = any ((select public.desk_branch_ids())::uuid[]));

-- classes
create policy classes_member_select on public.classes for select to authenticated
  using (not is_cancelled and exists (select 1 from public.members m where m.user_id = (select auth.uid())));
create policy classes_desk_select on public.classes for select to branch_desk
  using (branch_id = any ((select public.desk_branch_ids())::uuid[]));

-- class_bookings
create policy class_bookings_member_select on public.class_bookings for select to authenticated
  using (member_id = (select m.id from public.members m where m.user_id = (select auth.uid())));
create policy class_bookings_desk_select on public.class_bookings for select to branch_desk
  using (branch_id = any ((select public.desk_branch_ids())::uuid[]));
