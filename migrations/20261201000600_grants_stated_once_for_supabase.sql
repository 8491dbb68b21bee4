-- Why: on a Supabase project the migrations apply as its non-superuser `postgres`, whose default
-- privileges grant ALL on every new table, function and sequence in `public` to anon,
-- authenticated and service_role (issue 20, item 7). `revoke ... from public` does not take
-- back those explicit grants, so:
--   * public._sqlx_migrations (made by the app's migrator) was readable, writable and
--     truncatable by anon, over the project's public API key;
--   * is_iana_time_zone stayed executable by anon, desk_branch_ids by anon and authenticated,
--     and so on for every function a migration created without naming those roles;
--   * with pg_trgm in schema `extensions` (where the Supabase dashboard puts it), desk search
--     failed: branch_desk had no USAGE on `extensions`;
--   * on a fresh project 20261127000100 created pg_trgm in `public`, exposing its functions over
--     the API (Supabase's "extension in public" lint).
--
-- Here every privilege of every table and function of `public` is stated once: everything is
-- revoked from PUBLIC, anon, authenticated, service_role and branch_desk, then granted as the
-- design says (the table in 20261127000300 and the lists below). core/tests/privileges.rs
-- holds the database to these lists on vanilla PostgreSQL and on Supabase's layout, and fails
-- on any new function or table whose grants are not declared there too.
-- Extensions live in schema `extensions` (created where it is missing, as Supabase has it).

do $$
begin
  if not exists (select 1 from pg_catalog.pg_namespace where nspname = 'extensions') then
    create schema extensions;
  end if;
end
$$;
grant usage on schema extensions to branch_desk, service_role;

-- pg_trgm into `extensions` where 20261127000100 put it in `public`. A superuser moves it. A
-- role that created it as a trusted extension owns the extension but not its functions, which
-- blocks the move: then it is made again in `extensions` (with the two member-search indexes
-- that use it), but only if nothing else of the database depends on it. Otherwise, or where the
-- role may not drop it either, a warning says what an administrator should run. Search works
-- with it in either schema (search_members names both on its search_path).
do $$
declare
  v_ext oid;
  v_others text;
begin
  select e.oid into v_ext from pg_catalog.pg_extension e
  where e.extname = 'pg_trgm' and e.extnamespace = 'public'::pg_catalog.regnamespace;
  if v_ext is null then
    return;
  end if;
  begin
    alter extension pg_trgm set schema extensions;
    return;
  exception when insufficient_privilege then
    null;
  end;
  -- What depends on the extension's objects, other than its own objects (and the entries of its
  -- operator families) and our two indexes.
  select string_agg(pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), ', ')
    into v_others
  from pg_catalog.pg_depend d
  where d.deptype = 'n'
    and d.classid not in ('pg_catalog.pg_amop'::pg_catalog.regclass, 'pg_catalog.pg_amproc'::pg_catalog.regclass)
    and d.refobjid in (select m.objid from pg_catalog.pg_depend m
                       where m.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                         and m.refobjid = v_ext and m.deptype = 'e')
    and d.objid not in (select m.objid from pg_catalog.pg_depend m
                        where m.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                          and m.refobjid = v_ext and m.deptype = 'e')
    and not (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
             and d.objid in ('public.members_email_trgm'::pg_catalog.regclass,
                             'public.members_phone_digits_trgm'::pg_catalog.regclass));
  if v_others is not null then
    raise warning 'pg_trgm stays in schema public, where the API can reach its functions, because % use it; an administrator should run: alter extension pg_trgm set schema extensions',
      v_others;
    return;
  end if;
  begin
    drop extension pg_trgm cascade;
    create extension pg_trgm with schema extensions;
    create index members_email_trgm on public.members using gin (lower(email) extensions.gin_trgm_ops);
    create index members_phone_digits_trgm on public.members using gin (phone_digits extensions.gin_trgm_ops);
  exception when insufficient_privilege then
    raise warning 'pg_trgm is in schema public, where the API can reach its functions; an administrator should run: alter extension pg_trgm set schema extensions';
  end;
end
$$;

do $$
declare
  -- Entry points for members (through the API as authenticated) and desks.
  member_and_desk constant text[] := array[
    'ensure_facility_slots(uuid,date,date)',
    'book_class(uuid,uuid,uuid,uuid,boolean,boolean,text,boolean)',
    'book_benefit_slot(uuid,uuid,uuid,uuid,boolean,boolean,text)',
    'cancel_booking(text,uuid,uuid)',
    'member_entitlements(uuid,timestamptz)'];
  -- Desks only: their entry points, and what desk queries call with the desk's own rights
  -- (desk_branch_ids in policies, name_words and name_word_keys in search_members).
  desk_only constant text[] := array[
    'search_members(text,integer)',
    'set_booking_status(text,uuid,text,uuid)',
    'record_pin_attempt(uuid,boolean)',
    'desk_branch_ids()',
    'name_words(text)',
    'name_word_keys(text)'];
  -- What runs with the rights of whoever writes the tables (check constraints, generated
  -- columns): administrators, who are service_role on Supabase.
  writers constant text[] := array[
    'is_iana_time_zone(text)',
    'is_region_time_zone_name(text)'];
  f text;
  t text;
begin
  for f in
    select format('%I(%s)', p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid))
    from pg_catalog.pg_proc p
    where p.pronamespace = 'public'::pg_catalog.regnamespace
      and not exists (select 1 from pg_catalog.pg_depend d
                      where d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and d.objid = p.oid and d.deptype = 'e')
  loop
    execute format('revoke all on function public.%s from public, anon, authenticated, service_role, branch_desk', f);
  end loop;
  foreach f in array member_and_desk loop
    execute format('grant execute on function public.%s to authenticated, branch_desk, service_role', f);
  end loop;
  foreach f in array desk_only loop
    execute format('grant execute on function public.%s to branch_desk, service_role', f);
  end loop;
  foreach f in array writers loop
    execute format('grant execute on function public.%s to service_role', f);
  end loop;

  for t in
    select c.relname from pg_catalog.pg_class c
    where c.relnamespace = 'public'::pg_catalog.regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
      and not exists (select 1 from pg_catalog.pg_depend d
                      where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = c.oid and d.deptype = 'e')
  loop
    execute format('revoke all on table public.%I from public, anon, authenticated, service_role, branch_desk', t);
    if t <> '_sqlx_migrations' then
      execute format('grant select, insert, update, delete on table public.%I to service_role', t);
    end if;
  end loop;
end
$$;

-- The design table of 20261127000300, stated again after the revokes above.
grant select on public.branches, public.desk_roles, public.membership_plans, public.plan_entitlements,
  public.members, public.staff, public.facilities, public.benefit_settings, public.benefit_slots,
  public.benefit_bookings, public.classes, public.class_bookings, public.member_name_words
  to branch_desk;
grant update (under_maintenance, is_active) on public.facilities to branch_desk;
grant select on public.branches, public.membership_plans, public.plan_entitlements, public.members,
  public.facilities, public.benefit_settings, public.benefit_slots, public.benefit_bookings,
  public.classes, public.class_bookings
  to authenticated;

-- The migrator's own table: desks read which versions are applied (Settings → About), nobody
-- else reads or writes it but its owner. Row-level security too, as Supabase's advisor asks of
-- every table in `public`.
do $$
begin
  if to_regclass('public._sqlx_migrations') is not null then
    grant select (version, success) on public._sqlx_migrations to branch_desk;
    alter table public._sqlx_migrations enable row level security;
    create policy sqlx_migrations_desk_select on public._sqlx_migrations for select to branch_desk
      using (true);
  end if;
end
$$;
