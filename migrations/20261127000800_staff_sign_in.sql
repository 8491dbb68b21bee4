-- Why: staff sign in at a desk with email and PIN. The PIN hash (argon2) is verified by the app,
-- since pgcrypto is not available everywhere (not in the embedded database). Failed attempts and
-- the lock-out are recorded here, so every desk of the branch sees the same count. Desks cannot
-- update `staff` directly; this function changes only the attempt counters.
--
-- Lock-out: 5 wrong PINs in a row lock signing in for 15 minutes; a right PIN resets the count.

create function public.record_pin_attempt(p_staff_id uuid, p_success boolean)
  returns table (failed_pin_attempts integer, locked_until timestamptz)
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  max_failures constant integer := 5;
  lock_for constant interval := interval '15 minutes';
  v_branch uuid;
  v_allowed boolean;
begin
  if p_staff_id is null or p_success is null then
    raise exception 'Say which staff member and whether the PIN was right.' using errcode = 'BD001';
  end if;
  select s.branch_id into v_branch from public.staff s where s.id = p_staff_id for update;
  if not found then
    raise exception 'That staff member does not exist.' using errcode = 'BD002';
  end if;
  -- Desks of the staff member's branch; any desk for head-office staff; administrators.
  if v_branch is null then
    v_allowed := exists (select 1 from public.desk_roles d where d.role_name = session_user::text)
                 or public.caller_may_use_branch(null);
  else
    v_allowed := public.caller_may_use_branch(v_branch);
  end if;
  if auth.uid() is not null or not v_allowed then
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
revoke execute on function public.record_pin_attempt(uuid, boolean) from public, anon, authenticated;
grant execute on function public.record_pin_attempt(uuid, boolean) to branch_desk, service_role;
