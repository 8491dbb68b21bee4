-- Why: one desk role per branch cannot fit 500 branches into PostgreSQL's 100 connections
-- through PgBouncer (docs/deploy.md, "The load test"): PgBouncer keeps a pool per role, so past
-- about 40 busy branches it closed one branch's server connection to open another's for almost
-- every transaction. PgBouncer can log in to PostgreSQL as one shared role for every desk
-- (`user=` on its database line), so all desks share one pool; but then session_user no longer
-- says which desk is asking.
--
-- So a desk may be named in each transaction instead, by a key only that desk holds:
--   * A login that is a member of `branch_desk_shared` (PgBouncer's shared server login) is no
--     desk by itself. In each transaction the desk sets `branch_desk.desk` (its desk role's name)
--     and `branch_desk.desk_key` (its password) with set_config(..., true), as bind parameters so
--     that neither shows in pg_stat_activity; desk_role_name() answers with that name only when
--     SHA-256 of "name:key" is the one desk_keys holds for it. Nothing else: a wrong, missing or
--     NULL key names nobody, and nobody sees a row.
--   * Any other login is named by session_user, as before; its settings are ignored.
-- Every rule that named the desk by session_user now asks desk_role_name(): the seven desk
-- policies that compared desk_roles.role_name with it and the five functions that did
-- (caller_kind, caller_may_use_branch, desk_branch_ids, desk_sees_every_branch,
-- resolve_booking_actor). For a login that is not shared, every answer is the same as before.
--
-- What the key protects: PgBouncer has already checked the desk's password (auth_query), so a
-- desk's key is its password; a stolen desk PC gives that desk, as a stolen password did. A
-- setting is per server process and a local one ends with its transaction, and PgBouncer resets
-- a server connection (DISCARD ALL) when it changes hands. Tested as a stolen shared login
-- (core/tests/hostile_sessions.rs) and through a real PgBouncer (core/tests/pooler.rs).

do $$
begin
  create role branch_desk_shared nologin;
exception when duplicate_object then null;
end $$;
grant branch_desk to branch_desk_shared;

-- Which desk may be named by key, and the key's SHA-256 (of "role_name:key", UTF-8). Written by
-- an administrator (db::create_desk_role, with the desk's password); never readable by a desk.
create table public.desk_keys (
  role_name text primary key references public.desk_roles (role_name) on delete cascade on update cascade,
  key_sha256 bytea not null,
  changed_at timestamptz not null default now(),
  constraint desk_keys_sha256_length check (length(key_sha256) = 32)
);
alter table public.desk_keys enable row level security;
revoke all on public.desk_keys from public, anon, authenticated, branch_desk, service_role;
grant select, insert, update, delete on public.desk_keys to service_role;

-- The desk this transaction acts for: session_user, or for a shared login the desk its key
-- names; NULL for nobody. SECURITY DEFINER to read desk_keys.
create function public.desk_role_name() returns text
  language plpgsql stable security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_name text;
  v_key text;
begin
  if not pg_has_role(session_user, 'branch_desk_shared', 'MEMBER') then
    return session_user::text;
  end if;
  v_name := nullif(current_setting('branch_desk.desk', true), '');
  v_key := nullif(current_setting('branch_desk.desk_key', true), '');
  if v_name is null or v_key is null then
    return null;
  end if;
  return (select k.role_name from public.desk_keys k
          where k.role_name = v_name
            and k.key_sha256 = sha256(convert_to(v_name || ':' || v_key, 'UTF8')));
end
$$;
revoke execute on function public.desk_role_name() from public, anon, authenticated;
grant execute on function public.desk_role_name() to branch_desk, service_role;

-- The functions that named the desk by session_user (bodies otherwise as before).
CREATE OR REPLACE FUNCTION public.caller_kind()
 RETURNS text
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_role name := public.caller_role();
begin
  if pg_has_role(session_user, 'branch_desk', 'MEMBER')
     and exists (select 1 from public.desk_roles d where d.role_name = public.desk_role_name()) then
    return 'desk';
  end if;
  if pg_has_role(v_role, 'service_role', 'USAGE')
     or pg_has_role(v_role, (select c.relowner from pg_class c where c.oid = 'public.branches'::regclass), 'USAGE') then
    return 'administrator';
  end if;
  if pg_has_role(v_role, 'authenticated', 'USAGE') then
    -- Claims that are not JSON, or whose sub is not a uuid, name nobody.
    begin
      if auth.uid() is not null then
        return 'member';
      end if;
    exception when invalid_text_representation then
      return null;
    end;
  end if;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION public.caller_may_use_branch(p_branch_id uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  case public.caller_kind()
    when 'desk' then
      return exists (
        select 1 from public.desk_roles d
        where d.role_name = public.desk_role_name() and (d.branch_id is null or d.branch_id = p_branch_id));
    when 'administrator' then
      return true;
    when 'member' then
      return exists (select 1 from public.members m where m.user_id = auth.uid());
    else
      return false;
  end case;
end
$function$;

CREATE OR REPLACE FUNCTION public.desk_branch_ids()
 RETURNS uuid[]
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_desk text := public.desk_role_name();
begin
  return (
    select coalesce(array_agg(b.id), '{}')
    from public.branches b
    where exists (
      select 1 from public.desk_roles d
      where d.role_name = v_desk
        and (d.branch_id is null or d.branch_id = b.id)
    ));
end
$function$;

CREATE OR REPLACE FUNCTION public.desk_sees_every_branch()
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  return exists (
    select 1 from public.desk_roles d
    where d.role_name = public.desk_role_name() and d.branch_id is null);
end
$function$;

CREATE OR REPLACE FUNCTION public.resolve_booking_actor(p_branch_id uuid, p_member_id uuid, p_staff_id uuid)
 RETURNS TABLE(member_id uuid, staff_id uuid, is_staff boolean, can_override boolean)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_kind text := public.caller_kind();
  v_member uuid;
  v_staff public.staff;
begin
  if v_kind in ('desk', 'administrator') then
    -- The signed-in staff member is recorded. (caller_may_use_branch, written out: this runs on
    -- every booking.)
    if v_kind = 'desk' and not exists (
      select 1 from public.desk_roles d
      where d.role_name = public.desk_role_name() and (d.branch_id is null or d.branch_id = p_branch_id)) then
      raise exception 'This desk does not serve that branch.' using errcode = 'BD003';
    end if;
    if p_staff_id is null then
      raise exception 'A staff member must be signed in: every desk booking records who made it.'
        using errcode = 'BD001';
    end if;
    select s.* into v_staff from public.staff s
    where s.id = p_staff_id and s.is_active
      and (s.branch_id is null or s.branch_id = p_branch_id or public.caller_may_use_branch(s.branch_id));
    if not found then
      raise exception 'That staff member cannot act at this desk.' using errcode = 'BD003';
    end if;
    return query select p_member_id, v_staff.id, true, coalesce(v_staff.can_override, v_staff.role = 'manager');
    return;
  end if;

  if v_kind = 'member' then
    select m.id into v_member from public.members m where m.user_id = auth.uid();
    if v_member is null then
      raise exception 'This login is not linked to a member.' using errcode = 'BD003';
    end if;
    if p_member_id is distinct from v_member then
      raise exception 'Members can only book and cancel for themselves.' using errcode = 'BD003';
    end if;
    if p_staff_id is not null then
      raise exception 'Only a desk can act as a staff member.' using errcode = 'BD003';
    end if;
    return query select v_member, null::uuid, false, false;
    return;
  end if;

  raise exception 'This session may not book.' using errcode = 'BD003';
end
$function$;

-- The policies that named the desk by session_user.
alter policy branches_desk_select on public.branches
  using (exists (select 1 from public.desk_roles d where d.role_name = (select public.desk_role_name())));
alter policy desk_roles_desk_select on public.desk_roles
  using (role_name = (select public.desk_role_name()));
alter policy member_name_words_desk_select on public.member_name_words
  using (exists (select 1 from public.desk_roles d where d.role_name = (select public.desk_role_name())));
alter policy members_desk_select on public.members
  using (exists (select 1 from public.desk_roles d where d.role_name = (select public.desk_role_name())));
alter policy membership_plans_desk_select on public.membership_plans
  using (exists (select 1 from public.desk_roles d where d.role_name = (select public.desk_role_name())));
alter policy plan_entitlements_desk_select on public.plan_entitlements
  using (exists (select 1 from public.desk_roles d where d.role_name = (select public.desk_role_name())));
alter policy staff_desk_select on public.staff
  using (exists (select 1 from public.desk_roles d where d.role_name = (select public.desk_role_name()))
         and (branch_id is null or branch_id = any ((select public.desk_branch_ids())::uuid[])));
