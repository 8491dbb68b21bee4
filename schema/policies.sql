-- Generated from a migrated database by core/tests/schema_snapshot.rs: do not edit.
-- The migrations in migrations/ are the source; this is what they add up to.

-- _sqlx_migrations
create policy sqlx_migrations_desk_select on public._sqlx_migrations as permissive for select to branch_desk
  using (true);

-- benefit_bookings
create policy benefit_bookings_desk_select on public.benefit_bookings as permissive for select to branch_desk
  using ((( SELECT desk_sees_every_branch() AS desk_sees_every_branch) OR (branch_id = ANY (( SELECT desk_branch_ids() AS desk_branch_ids)::uuid[]))));
create policy benefit_bookings_member_select on public.benefit_bookings as permissive for select to authenticated
  using ((member_id = ( SELECT m.id
   FROM members m
  WHERE (m.user_id = ( SELECT auth.uid() AS uid)))));

-- benefit_settings
create policy benefit_settings_desk_select on public.benefit_settings as permissive for select to branch_desk
  using ((EXISTS ( SELECT 1
   FROM facilities f
  WHERE (f.id = benefit_settings.facility_id))));
create policy benefit_settings_member_select on public.benefit_settings as permissive for select to authenticated
  using ((EXISTS ( SELECT 1
   FROM facilities f
  WHERE (f.id = benefit_settings.facility_id))));

-- benefit_slots
create policy benefit_slots_desk_select on public.benefit_slots as permissive for select to branch_desk
  using ((( SELECT desk_sees_every_branch() AS desk_sees_every_branch) OR (branch_id = ANY (( SELECT desk_branch_ids() AS desk_branch_ids)::uuid[]))));
create policy benefit_slots_member_select on public.benefit_slots as permissive for select to authenticated
  using ((EXISTS ( SELECT 1
   FROM facilities f
  WHERE ((f.id = benefit_slots.facility_id) AND f.is_active AND (NOT f.under_maintenance)))));

-- booking_status_changes
create policy booking_status_changes_read on public.booking_status_changes as permissive for select to authenticated, branch_desk
  using (true);

-- booking_statuses
create policy booking_statuses_read on public.booking_statuses as permissive for select to authenticated, branch_desk
  using (true);

-- branches
create policy branches_desk_select on public.branches as permissive for select to branch_desk
  using ((EXISTS ( SELECT 1
   FROM desk_roles d
  WHERE (d.role_name = ( SELECT desk_role_name() AS desk_role_name)))));
create policy branches_member_select on public.branches as permissive for select to authenticated
  using ((EXISTS ( SELECT 1
   FROM members m
  WHERE (m.user_id = ( SELECT auth.uid() AS uid)))));

-- class_bookings
create policy class_bookings_desk_select on public.class_bookings as permissive for select to branch_desk
  using ((( SELECT desk_sees_every_branch() AS desk_sees_every_branch) OR (branch_id = ANY (( SELECT desk_branch_ids() AS desk_branch_ids)::uuid[]))));
create policy class_bookings_member_select on public.class_bookings as permissive for select to authenticated
  using ((member_id = ( SELECT m.id
   FROM members m
  WHERE (m.user_id = ( SELECT auth.uid() AS uid)))));

-- classes
create policy classes_desk_select on public.classes as permissive for select to branch_desk
  using ((( SELECT desk_sees_every_branch() AS desk_sees_every_branch) OR (branch_id = ANY (( SELECT desk_branch_ids() AS desk_branch_ids)::uuid[]))));
create policy classes_member_select on public.classes as permissive for select to authenticated
  using (((NOT is_cancelled) AND (EXISTS ( SELECT 1
   FROM members m
  WHERE (m.user_id = ( SELECT auth.uid() AS uid))))));

-- desk_roles
create policy desk_roles_desk_select on public.desk_roles as permissive for select to branch_desk
  using ((role_name = ( SELECT desk_role_name() AS desk_role_name)));

-- facilities
create policy facilities_desk_select on public.facilities as permissive for select to branch_desk
  using ((( SELECT desk_sees_every_branch() AS desk_sees_every_branch) OR (branch_id = ANY (( SELECT desk_branch_ids() AS desk_branch_ids)::uuid[]))));
create policy facilities_desk_update on public.facilities as permissive for update to branch_desk
  using ((branch_id = ANY (( SELECT desk_branch_ids() AS desk_branch_ids)::uuid[])))
  with check ((branch_id = ANY (( SELECT desk_branch_ids() AS desk_branch_ids)::uuid[])));
create policy facilities_member_select on public.facilities as permissive for select to authenticated
  using ((is_active AND (EXISTS ( SELECT 1
   FROM members m
  WHERE (m.user_id = ( SELECT auth.uid() AS uid))))));

-- member_name_words
create policy member_name_words_desk_select on public.member_name_words as permissive for select to branch_desk
  using ((EXISTS ( SELECT 1
   FROM desk_roles d
  WHERE (d.role_name = ( SELECT desk_role_name() AS desk_role_name)))));

-- members
create policy members_desk_select on public.members as permissive for select to branch_desk
  using ((EXISTS ( SELECT 1
   FROM desk_roles d
  WHERE (d.role_name = ( SELECT desk_role_name() AS desk_role_name)))));
create policy members_member_select on public.members as permissive for select to authenticated
  using ((user_id = ( SELECT auth.uid() AS uid)));

-- membership_plans
create policy membership_plans_desk_select on public.membership_plans as permissive for select to branch_desk
  using ((EXISTS ( SELECT 1
   FROM desk_roles d
  WHERE (d.role_name = ( SELECT desk_role_name() AS desk_role_name)))));
create policy membership_plans_member_select on public.membership_plans as permissive for select to authenticated
  using ((EXISTS ( SELECT 1
   FROM members m
  WHERE (m.user_id = ( SELECT auth.uid() AS uid)))));

-- plan_entitlements
create policy plan_entitlements_desk_select on public.plan_entitlements as permissive for select to branch_desk
  using ((EXISTS ( SELECT 1
   FROM desk_roles d
  WHERE (d.role_name = ( SELECT desk_role_name() AS desk_role_name)))));
create policy plan_entitlements_member_select on public.plan_entitlements as permissive for select to authenticated
  using ((EXISTS ( SELECT 1
   FROM members m
  WHERE (m.user_id = ( SELECT auth.uid() AS uid)))));

-- staff
create policy staff_desk_select on public.staff as permissive for select to branch_desk
  using (((EXISTS ( SELECT 1
   FROM desk_roles d
  WHERE (d.role_name = ( SELECT desk_role_name() AS desk_role_name)))) AND ((branch_id IS NULL) OR (branch_id = ANY (( SELECT desk_branch_ids() AS desk_branch_ids)::uuid[])))));
