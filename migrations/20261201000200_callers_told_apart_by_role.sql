-- Why: inside the functions, who a caller is was partly read from `request.jwt.claims`, a
-- setting every session may write (issue 20, item 2). An `authenticated` session (or a desk)
-- whose claims said `"role": "service_role"` was treated as an administrator: any member's
-- entitlements, booking as any staff member, any branch's slots. And a member of branch_desk
-- that no desk_roles row maps read every member.
--
-- Now a caller is one of four kinds, decided by database roles, never by a setting:
--   desk           session_user is a LOGIN role of branch_desk mapped in desk_roles (its
--                  branch, or every branch for a head-office desk);
--   administrator  the role it acts as is a superuser or has the rights of service_role or of
--                  the owner of the club's tables;
--   member         the role it acts as has the rights of `authenticated`, and auth.uid() (the
--                  JWT's `sub`, which the gateway sets) names a member's login;
--   nobody         anyone else, an unmapped desk among them: it reads nothing and does nothing.
-- "The role it acts as" is what the session SET ROLE to (PostgreSQL allows that only to roles
-- the login is a member of), else its login: inside a SECURITY DEFINER function current_user
-- is the owner, but the `role` setting still names the caller's.

-- ALTER POLICY below: a transaction left open must not queue everyone behind this migration.
set local lock_timeout = '10s';

create function public.caller_role() returns name
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
begin
  return case when current_setting('role') = 'none' then session_user
              else current_setting('role')::name end;
end
$$;

-- 'desk', 'administrator', 'member' or null (nobody), as described above.
create function public.caller_kind() returns text
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_role name := public.caller_role();
begin
  if pg_has_role(session_user, 'branch_desk', 'MEMBER')
     and exists (select 1 from public.desk_roles d where d.role_name = session_user::text) then
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
$$;

-- The functions that take row locks serve one change per transaction: a desk or member that
-- called one and kept its transaction open could otherwise take, in one statement, a lock on
-- every member of the club (or every class, or every branch's slot making) and stall every other
-- desk. One booking, cancellation, check-in, PIN attempt or slot making per transaction;
-- administrators (bulk corrections) are exempt. The app and the members' app make one change per
-- call. (What one open transaction still holds, one member and one slot, others wait for at
-- most the functions' lock_timeout, then hear "try again".)
create function public.check_fresh_transaction(p_what text) returns void
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if pg_current_xact_id_if_assigned() is not null and public.caller_kind() is distinct from 'administrator' then
    raise exception '% one at a time: this transaction has already changed something. Commit it first, or do this in a new transaction.',
      p_what using errcode = 'BD001';
  end if;
end
$$;

-- Who may act for a branch: a desk mapped to it (or to every branch); an administrator; a member
-- of the club (members may use every branch).
create or replace function public.caller_may_use_branch(p_branch_id uuid) returns boolean
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  case public.caller_kind()
    when 'desk' then
      return exists (
        select 1 from public.desk_roles d
        where d.role_name = session_user::text and (d.branch_id is null or d.branch_id = p_branch_id));
    when 'administrator' then
      return true;
    when 'member' then
      return exists (select 1 from public.members m where m.user_id = auth.uid());
    else
      return false;
  end case;
end
$$;

-- Who is acting in a booking: a desk (or an administrator session) with the staff member it
-- names, or a member for themselves.
create or replace function public.resolve_booking_actor(p_branch_id uuid, p_member_id uuid, p_staff_id uuid)
  returns table (member_id uuid, staff_id uuid, is_staff boolean, can_override boolean)
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
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
      where d.role_name = session_user::text and (d.branch_id is null or d.branch_id = p_branch_id)) then
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
$$;

-- What a member's plan includes, used and remaining, in the periods containing p_at. Desks and
-- administrators may ask about any member (club-wide); a member only about themselves.
create or replace function public.member_entitlements(p_member_id uuid, p_at timestamptz default now())
  returns table (kind text, period text, included boolean, allowance integer, used integer,
                 remaining integer, period_start timestamptz, period_end timestamptz)
  language plpgsql
  stable
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_kind text := public.caller_kind();
begin
  if v_kind is null then
    raise exception 'This session may not read entitlements.' using errcode = 'BD003';
  end if;
  if p_member_id is null then
    raise exception 'Say which member.' using errcode = 'BD001';
  end if;
  if p_at is null then
    raise exception 'Say at which moment (p_at is NULL; leave it out for now).' using errcode = 'BD001';
  end if;
  if not isfinite(p_at) or p_at < timestamptz '1900-01-01 00:00+00' or p_at >= timestamptz '10000-01-01 00:00+00' then
    raise exception 'Ask about a moment between the years 1900 and 9999.' using errcode = 'BD001';
  end if;
  if not exists (select 1 from public.members m where m.id = p_member_id) then
    raise exception 'That member does not exist.' using errcode = 'BD002';
  end if;
  if v_kind = 'member'
     and not exists (select 1 from public.members m where m.id = p_member_id and m.user_id = auth.uid()) then
    raise exception 'Members can only see their own entitlements.' using errcode = 'BD003';
  end if;
  return query
  select k.kind, u.period, u.included, u.allowance, u.used,
         case when u.allowance is null then null else greatest(u.allowance - u.used, 0) end,
         u.period_start, u.period_end
  from unnest(array['recovery', 'class']) k(kind)
  cross join lateral public.entitlement_usage(p_member_id, k.kind, p_at) u;
end
$$;

-- Counting PIN attempts: desks of the staff member's branch, any desk for head-office staff,
-- administrators. Nobody else.
create or replace function public.record_pin_attempt(p_staff_id uuid, p_success boolean)
  returns table (failed_pin_attempts integer, locked_until timestamptz)
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
  set lock_timeout = '3s'
as $$
declare
  max_failures constant integer := 5;
  lock_for constant interval := interval '15 minutes';
  v_kind text := public.caller_kind();
  v_branch uuid;
begin
  if v_kind is null or v_kind = 'member' then
    raise exception 'This desk cannot sign in that staff member.' using errcode = 'BD003';
  end if;
  perform public.check_fresh_transaction('PIN attempts are counted');
  if p_staff_id is null or p_success is null then
    raise exception 'Say which staff member and whether the PIN was right.' using errcode = 'BD001';
  end if;
  select s.branch_id into v_branch from public.staff s where s.id = p_staff_id for update;
  if not found then
    raise exception 'That staff member does not exist.' using errcode = 'BD002';
  end if;
  if v_branch is not null and not public.caller_may_use_branch(v_branch) then
    raise exception 'This desk cannot sign in that staff member.' using errcode = 'BD003';
  end if;
  if p_success then
    return query
    update public.staff s set failed_pin_attempts = 0, locked_until = null
    where s.id = p_staff_id returning s.failed_pin_attempts, s.locked_until;
  else
    return query
    update public.staff s
    set failed_pin_attempts = case when s.failed_pin_attempts + 1 >= max_failures then 0 else s.failed_pin_attempts + 1 end,
        locked_until = case when s.failed_pin_attempts + 1 >= max_failures then now() + lock_for else s.locked_until end
    where s.id = p_staff_id returning s.failed_pin_attempts, s.locked_until;
  end if;
end
$$;

-- Members make slots only near today (20261128000500); desks and administrators anywhere. Who
-- is a member is now told by role, not by whether claims are set.
create or replace function public.ensure_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
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
  if public.caller_kind() = 'member' and p_start_date is not null and p_end_date is not null then
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

-- Member search runs with its owner's rights, for desks (and administrators) only. Under the
-- desk policy on members below (a mapped desk reads every member), PostgreSQL may not use the
-- search's trigram and word indexes: their operators are not leakproof, so a row must pass the
-- policy before they may look at it, and every search became a scan of every member (a
-- measured 30x slower). As the owner, the search reads members directly, once it has checked
-- the caller; what it returns is what a mapped desk may read anyway. The search itself is
-- unchanged (20261128000100), under the name search_member_hits.
alter function public.search_members(text, integer) rename to search_member_hits;
revoke execute on function public.search_member_hits(text, integer)
  from public, anon, authenticated, branch_desk, service_role;

create function public.search_members(p_query text, p_limit integer default 20)
  returns table (
    member_id uuid, member_number text, first_name text, last_name text, email text, phone text,
    status text, home_branch_id uuid, plan_id uuid, score real
  )
  language plpgsql stable
  security definer
  set search_path = pg_catalog, public, extensions, pg_temp
as $$
declare
  v_kind text := public.caller_kind();
begin
  if v_kind is null or v_kind not in ('desk', 'administrator') then
    return;
  end if;
  return query select * from public.search_member_hits(p_query, p_limit);
end
$$;
revoke execute on function public.search_members(text, integer) from public, anon, authenticated;
grant execute on function public.search_members(text, integer) to branch_desk, service_role;

revoke execute on function public.caller_role(), public.caller_kind(), public.check_fresh_transaction(text)
  from public, anon, authenticated, branch_desk, service_role;

-- An unmapped desk reads nothing: the desk policies that read `true` (club-wide tables) now ask
-- that the desk be mapped (its own desk_roles row, which is all of desk_roles it may read), and
-- head-office staff are read only by mapped desks. Written as a subquery, not a call of
-- desk_branch_ids(), which reads branches and so would recurse through branches' own policy.
alter policy branches_desk_select on public.branches
  using (exists (select 1 from public.desk_roles d where d.role_name = session_user::text));
alter policy membership_plans_desk_select on public.membership_plans
  using (exists (select 1 from public.desk_roles d where d.role_name = session_user::text));
alter policy plan_entitlements_desk_select on public.plan_entitlements
  using (exists (select 1 from public.desk_roles d where d.role_name = session_user::text));
alter policy members_desk_select on public.members
  using (exists (select 1 from public.desk_roles d where d.role_name = session_user::text));
alter policy member_name_words_desk_select on public.member_name_words
  using (exists (select 1 from public.desk_roles d where d.role_name = session_user::text));
alter policy staff_desk_select on public.staff
  using (exists (select 1 from public.desk_roles d where d.role_name = session_user::text)
         and (branch_id is null or branch_id = any ((select public.desk_branch_ids())::uuid[])));
