-- Generated from a migrated database by core/tests/schema_snapshot.rs: do not edit.
-- The migrations in migrations/ are the source; this is what they add up to.

-- auth.uid()
CREATE OR REPLACE FUNCTION auth.uid()
 RETURNS uuid
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
      select nullif(
        coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
        ),
        ''
      )::uuid
    $function$;

-- benefit_slot_days_forget()
CREATE OR REPLACE FUNCTION public.benefit_slot_days_forget()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  if tg_level = 'STATEMENT' then
    delete from public.benefit_slot_days d
    using (select distinct r.branch_id, r.local_date from removed r) r
    where d.branch_id = r.branch_id and d.local_date = r.local_date;
  else
    delete from public.benefit_slot_days d
    where (d.branch_id, d.local_date) in ((old.branch_id, old.local_date), (new.branch_id, new.local_date));
  end if;
  return null;
end
$function$;

-- book_benefit_slot(uuid,uuid,uuid,uuid,boolean,boolean,text)
CREATE OR REPLACE FUNCTION public.book_benefit_slot(p_slot_id uuid, p_member_id uuid, p_idempotency_key uuid, p_staff_id uuid DEFAULT NULL::uuid, p_override_capacity boolean DEFAULT false, p_override_allowance boolean DEFAULT false, p_override_reason text DEFAULT NULL::text)
 RETURNS benefit_bookings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET lock_timeout TO '3s'
AS $function$
declare
  v_slot public.benefit_slots;
  v_facility public.facilities;
  v_seen record;
  v_current boolean;
  v_actor record;
  v_booking public.benefit_bookings;
  v_capacity_override boolean := false;
  v_allowance_override boolean;
begin
  perform public.check_booking_input(p_slot_id, p_member_id, p_idempotency_key, p_override_reason,
    p_override_capacity, p_override_allowance, false);
  -- Who is acting, and whether the slot is still in its facility's timetable, need only what a
  -- slot never changes (branch, facility, times, capacity): decided before the lock, so bookings
  -- of one slot wait for each other as briefly as possible. (A slot removed meanwhile is not
  -- found below; one that a settings change makes stale meanwhile is booked as if just before.)
  -- A day last made under the current configuration holds the plan's slots and the ones it
  -- recorded as kept (20261201000400); any other day's plan is computed for this slot.
  select s.branch_id, s.facility_id, s.starts_at, s.ends_at, s.capacity, s.local_date,
         d.fingerprint as day_fingerprint, (s.id = any (d.kept)) as kept
    into v_seen
  from public.benefit_slots s
  left join public.benefit_slot_days d on d.branch_id = s.branch_id and d.local_date = s.local_date
  where s.id = p_slot_id;
  if not found then
    raise exception 'That slot does not exist.' using errcode = 'BD002';
  end if;
  select * into v_actor from public.resolve_booking_actor(v_seen.branch_id, p_member_id, p_staff_id);
  if v_seen.day_fingerprint = public.facility_slot_fingerprint(v_seen.branch_id) then
    v_current := not v_seen.kept;
  else
    v_current := exists (
      select 1 from public.facility_slot_plan(v_seen.branch_id, v_seen.local_date, v_seen.local_date, v_seen.facility_id) w
      where w.starts_at = v_seen.starts_at and w.ends_at = v_seen.ends_at and w.capacity = v_seen.capacity);
  end if;

  select s.* into v_slot from public.benefit_slots s where s.id = p_slot_id for update;
  if not found then
    raise exception 'That slot does not exist.' using errcode = 'BD002';
  end if;
  select b.* into v_booking from public.benefit_bookings b where b.idempotency_key = p_idempotency_key;
  if found then
    if v_booking.slot_id = p_slot_id and v_booking.member_id = p_member_id then
      return v_booking;
    end if;
    raise exception 'That request key was already used for a different booking.' using errcode = 'BD001';
  end if;

  perform public.check_member_may_book(p_member_id);
  select f.* into v_facility from public.facilities f where f.id = v_slot.facility_id;
  if not v_facility.is_active or v_facility.under_maintenance then
    raise exception '% is closed for maintenance.', v_facility.name using errcode = 'BD001';
  end if;
  if v_slot.starts_at <= now() then
    raise exception 'That slot has already started.' using errcode = 'BD001';
  end if;
  if not v_current then
    raise exception '%''s % slot on % is from an earlier timetable: the facility''s settings have changed since it was made, so it takes no new bookings (its bookings stand). Choose a slot from the current timetable.',
      v_facility.name, to_char(v_slot.local_start, 'HH24:MI'), to_char(v_slot.local_date, 'FMDay DD Mon')
      using errcode = 'BD001';
  end if;
  if exists (select 1 from public.benefit_bookings b
             where b.slot_id = p_slot_id and b.member_id = p_member_id and b.status <> 'cancelled') then
    raise exception 'Already booked' using errcode = 'BD005';
  end if;

  if v_slot.booked_count >= v_slot.capacity then
    if p_override_capacity then
      perform public.check_override(v_actor.is_staff, v_actor.can_override, p_override_reason, 'capacity');
      v_capacity_override := true;
    else
      raise exception 'Full: % of % booked', v_slot.booked_count, v_slot.capacity
        using errcode = 'BD004',
              detail = json_build_object('booked', v_slot.booked_count, 'capacity', v_slot.capacity,
                                         'waitlist', false)::text;
    end if;
  end if;
  v_allowance_override := public.check_allowance(p_member_id, 'recovery', v_slot.starts_at,
    p_override_allowance, v_actor.is_staff, v_actor.can_override, p_override_reason);

  insert into public.benefit_bookings
    (slot_id, member_id, branch_id, starts_at, idempotency_key, booked_by_staff_id,
     capacity_override, allowance_override, override_reason, override_by_staff_id,
     status_changed_by_staff_id)
  values
    (p_slot_id, p_member_id, v_slot.branch_id, v_slot.starts_at, p_idempotency_key, v_actor.staff_id,
     v_capacity_override, v_allowance_override,
     case when v_capacity_override or v_allowance_override then public.trim_space(p_override_reason) end,
     case when v_capacity_override or v_allowance_override then v_actor.staff_id end,
     v_actor.staff_id)
  returning * into v_booking;

  update public.benefit_slots set booked_count = booked_count + 1 where id = p_slot_id;
  return v_booking;
end
$function$;

-- book_class(uuid,uuid,uuid,uuid,boolean,boolean,text,boolean)
CREATE OR REPLACE FUNCTION public.book_class(p_class_id uuid, p_member_id uuid, p_idempotency_key uuid, p_staff_id uuid DEFAULT NULL::uuid, p_override_capacity boolean DEFAULT false, p_override_allowance boolean DEFAULT false, p_override_reason text DEFAULT NULL::text, p_join_waitlist boolean DEFAULT false)
 RETURNS class_bookings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET lock_timeout TO '3s'
AS $function$
declare
  v_class public.classes;
  v_actor record;
  v_booking public.class_bookings;
  v_status text := 'booked';
  v_capacity_override boolean := false;
  v_allowance_override boolean;
begin
  perform public.check_booking_input(p_class_id, p_member_id, p_idempotency_key, p_override_reason,
    p_override_capacity, p_override_allowance, p_join_waitlist);
  -- Who is acting needs only the class's branch, which never changes: decided before the lock,
  -- so bookings of one class wait for each other as briefly as possible.
  select c.branch_id into v_class.branch_id from public.classes c where c.id = p_class_id;
  if not found then
    raise exception 'That class does not exist.' using errcode = 'BD002';
  end if;
  select * into v_actor from public.resolve_booking_actor(v_class.branch_id, p_member_id, p_staff_id);
  select c.* into v_class from public.classes c where c.id = p_class_id for update;
  if not found then
    raise exception 'That class does not exist.' using errcode = 'BD002';
  end if;

  -- After the lock: a retried request waits for the first and then finds its booking.
  select b.* into v_booking from public.class_bookings b where b.idempotency_key = p_idempotency_key;
  if found then
    if v_booking.class_id = p_class_id and v_booking.member_id = p_member_id then
      return v_booking;
    end if;
    raise exception 'That request key was already used for a different booking.' using errcode = 'BD001';
  end if;

  perform public.check_member_may_book(p_member_id);
  if v_class.is_cancelled then
    raise exception 'That class has been cancelled.' using errcode = 'BD001';
  end if;
  if v_class.starts_at <= now() then
    raise exception 'That class has already started.' using errcode = 'BD001';
  end if;
  if exists (select 1 from public.class_bookings b
             where b.class_id = p_class_id and b.member_id = p_member_id and b.status <> 'cancelled') then
    raise exception 'Already booked' using errcode = 'BD005';
  end if;

  if v_class.booked_count >= v_class.capacity then
    if p_override_capacity then
      perform public.check_override(v_actor.is_staff, v_actor.can_override, p_override_reason, 'capacity');
      v_capacity_override := true;
    elsif p_join_waitlist then
      v_status := 'waitlisted';
    else
      raise exception 'Full: % of % booked', v_class.booked_count, v_class.capacity
        using errcode = 'BD004',
              detail = json_build_object('booked', v_class.booked_count, 'capacity', v_class.capacity,
                                         'waitlist', true)::text;
    end if;
  end if;
  v_allowance_override := public.check_allowance(p_member_id, 'class', v_class.starts_at,
    p_override_allowance, v_actor.is_staff, v_actor.can_override, p_override_reason);

  insert into public.class_bookings
    (class_id, member_id, branch_id, starts_at, status, idempotency_key, booked_by_staff_id,
     capacity_override, allowance_override, override_reason, override_by_staff_id,
     waitlisted_at, status_changed_by_staff_id)
  values
    (p_class_id, p_member_id, v_class.branch_id, v_class.starts_at, v_status, p_idempotency_key,
     v_actor.staff_id, v_capacity_override, v_allowance_override,
     case when v_capacity_override or v_allowance_override then public.trim_space(p_override_reason) end,
     case when v_capacity_override or v_allowance_override then v_actor.staff_id end,
     case when v_status = 'waitlisted' then clock_timestamp() end, v_actor.staff_id)
  returning * into v_booking;

  update public.classes
  set booked_count = booked_count + (v_status = 'booked')::integer,
      waitlist_count = waitlist_count + (v_status = 'waitlisted')::integer
  where id = p_class_id;
  return v_booking;
end
$function$;

-- branch_time_zone(uuid)
CREATE OR REPLACE FUNCTION public.branch_time_zone(p_branch_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_name text;
  v_tz text;
begin
  select b.name, b.timezone into v_name, v_tz from public.branches b where b.id = p_branch_id;
  if not found then
    return null;
  end if;
  if v_tz = 'UTC' then
    return 'Etc/UTC';
  end if;
  if not public.is_region_time_zone_name(v_tz) then
    raise exception 'The time zone of % is "%", which is not a region name (PostgreSQL reads names such as CET or EST as fixed offsets, an hour off half the year). Set it to one such as Europe/London.',
      v_name, v_tz using errcode = 'BD007';
  end if;
  if not exists (select 1 from pg_constraint c
                 where c.conrelid = 'public.branches'::regclass and c.conname = 'branches_timezone_iana'
                   and c.convalidated)
     and not public.is_iana_time_zone(v_tz) then
    raise exception 'The time zone of % is "%", which this database''s zone data does not have. Set it to a region name such as Europe/London.',
      v_name, v_tz using errcode = 'BD007';
  end if;
  return v_tz;
end
$function$;

-- caller_kind()
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

-- caller_may_use_branch(uuid)
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

-- caller_role()
CREATE OR REPLACE FUNCTION public.caller_role()
 RETURNS name
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  return case when current_setting('role') = 'none' then session_user
              else current_setting('role')::name end;
end
$function$;

-- cancel_booking(text,uuid,uuid)
CREATE OR REPLACE FUNCTION public.cancel_booking(p_kind text, p_booking_id uuid, p_staff_id uuid DEFAULT NULL::uuid)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET lock_timeout TO '3s'
AS $function$
declare
  v_target uuid;
  v_branch uuid;
  v_member uuid;
  v_status text;
  v_starts timestamptz;
  v_actor record;
  v_window integer;
  v_class public.classes;
  v_promoted uuid;
begin
  perform public.check_read_committed('Bookings are cancelled');
  perform public.check_fresh_transaction('Bookings are cancelled');
  if p_kind is null or p_kind not in ('class', 'recovery') or p_booking_id is null then
    raise exception 'Say which booking to cancel: kind class or recovery, and its id.' using errcode = 'BD001';
  end if;
  if p_kind = 'class' then
    select b.class_id into v_target from public.class_bookings b where b.id = p_booking_id;
  else
    select b.slot_id into v_target from public.benefit_bookings b where b.id = p_booking_id;
  end if;
  if v_target is null then
    raise exception 'That booking does not exist.' using errcode = 'BD002';
  end if;
  -- Lock the class or slot first, as the booking functions do, then read the booking.
  if p_kind = 'class' then
    select c.* into v_class from public.classes c where c.id = v_target for update;
    select b.branch_id, b.member_id, b.status, b.starts_at into v_branch, v_member, v_status, v_starts
    from public.class_bookings b where b.id = p_booking_id for update;
  else
    perform 1 from public.benefit_slots s where s.id = v_target for update;
    select b.branch_id, b.member_id, b.status, b.starts_at into v_branch, v_member, v_status, v_starts
    from public.benefit_bookings b where b.id = p_booking_id for update;
  end if;
  select * into v_actor from public.resolve_booking_actor(v_branch, v_member, p_staff_id);

  if not exists (select 1 from public.booking_status_changes c
                 where c.from_status = v_status and c.to_status = 'cancelled') then
    raise exception 'This booking is % and cannot be cancelled.', replace(v_status, '_', '-') using errcode = 'BD001';
  end if;
  if not v_actor.is_staff then
    select p.cancel_window_minutes into v_window
    from public.members m join public.membership_plans p on p.id = m.plan_id where m.id = v_member;
    if now() > v_starts - make_interval(mins => coalesce(v_window, 0)) then
      raise exception 'It is too late to cancel in the app (within % minutes of the start): please contact the front desk.',
        coalesce(v_window, 0) using errcode = 'BD003';
    end if;
  end if;

  if p_kind = 'class' then
    update public.class_bookings
    set status = 'cancelled', cancelled_at = now(), status_changed_at = now(),
        cancelled_by = case when v_actor.is_staff then 'staff' else 'member' end,
        status_changed_by_staff_id = v_actor.staff_id
    where id = p_booking_id;
    if v_status = 'booked' then
      v_class.booked_count := v_class.booked_count - 1;
      -- Promote the first waiting member into the freed place.
      if v_class.booked_count < v_class.capacity and v_class.starts_at > now() and not v_class.is_cancelled then
        update public.class_bookings
        set status = 'booked', status_changed_at = now(), status_changed_by_staff_id = v_actor.staff_id
        where id = (select w.id from public.class_bookings w
                    where w.class_id = v_target and w.status = 'waitlisted'
                    order by w.waitlisted_at, w.id limit 1)
        returning id into v_promoted;
      end if;
    end if;
    update public.classes
    set booked_count = booked_count - (v_status = 'booked')::integer + (v_promoted is not null)::integer,
        waitlist_count = waitlist_count - (v_status = 'waitlisted')::integer - (v_promoted is not null)::integer
    where id = v_target;
  else
    update public.benefit_bookings
    set status = 'cancelled', cancelled_at = now(), status_changed_at = now(),
        cancelled_by = case when v_actor.is_staff then 'staff' else 'member' end,
        status_changed_by_staff_id = v_actor.staff_id
    where id = p_booking_id;
    update public.benefit_slots set booked_count = booked_count - 1 where id = v_target;
  end if;
  return v_promoted;
end
$function$;

-- check_allowance(uuid,text,timestamp with time zone,boolean,boolean,boolean,text)
CREATE OR REPLACE FUNCTION public.check_allowance(p_member_id uuid, p_kind text, p_at timestamp with time zone, p_override boolean, p_is_staff boolean, p_can_override boolean, p_reason text)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  u record;
begin
  select * into u from public.entitlement_usage(p_member_id, p_kind, p_at);
  if u.allowance is null or u.used < u.allowance then
    return false;
  end if;
  if not p_override then
    raise exception 'Plan allowance used: % of % this %', u.used, u.allowance, u.period
      using errcode = 'BD006',
            detail = json_build_object('used', u.used, 'allowance', u.allowance, 'period', u.period,
                                       'kind', p_kind, 'included', u.included)::text;
  end if;
  perform public.check_override(p_is_staff, p_can_override, p_reason, 'plan allowance');
  return true;
end
$function$;

-- check_booking_input(uuid,uuid,uuid,text,boolean,boolean,boolean)
CREATE OR REPLACE FUNCTION public.check_booking_input(p_target uuid, p_member_id uuid, p_key uuid, p_reason text, p_override_capacity boolean, p_override_allowance boolean, p_join_waitlist boolean)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  perform public.check_read_committed('Bookings are made');
  perform public.check_fresh_transaction('Bookings are made');
  if p_target is null or p_member_id is null or p_key is null then
    raise exception 'A class or slot, a member and a request key are all required.' using errcode = 'BD001';
  end if;
  if p_override_capacity is null or p_override_allowance is null or p_join_waitlist is null then
    raise exception 'Override and waitlist choices are true or false, never NULL.' using errcode = 'BD001';
  end if;
  if length(public.trim_space(p_reason)) > public.override_reason_max_length() then
    raise exception 'The override reason is too long: use at most % characters.', public.override_reason_max_length()
      using errcode = 'BD001';
  end if;
end
$function$;

-- check_fresh_transaction(text)
CREATE OR REPLACE FUNCTION public.check_fresh_transaction(p_what text)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  if pg_current_xact_id_if_assigned() is not null and public.caller_kind() is distinct from 'administrator' then
    raise exception '% one at a time: this transaction has already changed something. Commit it first, or do this in a new transaction.',
      p_what using errcode = 'BD001';
  end if;
end
$function$;

-- check_member_may_book(uuid)
CREATE OR REPLACE FUNCTION public.check_member_may_book(p_member_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_status text;
begin
  select m.status into v_status from public.members m where m.id = p_member_id for no key update;
  if not found then
    raise exception 'That member does not exist.' using errcode = 'BD002';
  end if;
  if v_status <> 'active' then
    raise exception 'The membership is %: only active members can book.', v_status using errcode = 'BD001';
  end if;
end
$function$;

-- check_override(boolean,boolean,text,text)
CREATE OR REPLACE FUNCTION public.check_override(p_is_staff boolean, p_can_override boolean, p_reason text, p_what text)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  if not p_is_staff then
    raise exception 'Only staff at a desk can override the %.', p_what using errcode = 'BD003';
  end if;
  if not p_can_override then
    raise exception 'Overriding the % needs a manager or the override permission.', p_what using errcode = 'BD003';
  end if;
  if coalesce(public.visible_length(p_reason), 0) < public.override_reason_min_length() then
    raise exception 'Give a reason for overriding the %.', p_what using errcode = 'BD001';
  end if;
end
$function$;

-- check_read_committed(text)
CREATE OR REPLACE FUNCTION public.check_read_committed(p_what text)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception '% in READ COMMITTED transactions, the database''s default; this transaction is %. Do it in a new transaction.',
      p_what, upper(current_setting('transaction_isolation'))
      using errcode = 'BD001';
  end if;
end
$function$;

-- desk_branch_ids()
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

-- desk_role_name()
CREATE OR REPLACE FUNCTION public.desk_role_name()
 RETURNS text
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
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
$function$;

-- desk_sees_every_branch()
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

-- ensure_facility_slots(uuid,date,date)
CREATE OR REPLACE FUNCTION public.ensure_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET lock_timeout TO '3s'
AS $function$
declare
  days_back constant integer := 7;
  days_ahead constant integer := 92;
  v_today date;
begin
  perform public.check_fresh_transaction('Slots are made');
  if public.caller_kind() = 'member' and p_start_date is not null and p_end_date is not null then
    v_today := (now() at time zone public.branch_time_zone(p_branch_id))::date;
    if v_today is not null
       and (p_start_date < v_today - days_back or p_end_date > v_today + days_ahead) then
      raise exception 'Slots can be opened from % to % (a week back to three months ahead).',
        v_today - days_back, v_today + days_ahead
        using errcode = 'BD001';
    end if;
  end if;
  return public.materialise_facility_slots(p_branch_id, p_start_date, p_end_date);
end
$function$;

-- entitlement_usage(uuid,text,timestamp with time zone)
CREATE OR REPLACE FUNCTION public.entitlement_usage(p_member_id uuid, p_kind text, p_at timestamp with time zone)
 RETURNS TABLE(included boolean, allowance integer, used integer, period text, period_start timestamp with time zone, period_end timestamp with time zone)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_tz text;
  v_plan uuid;
  v_entitlement public.plan_entitlements;
  v_period text;
  v_local_start timestamp;
  v_start timestamptz;
  v_end timestamptz;
  v_used integer;
begin
  select public.branch_time_zone(m.home_branch_id), m.plan_id into v_tz, v_plan
  from public.members m where m.id = p_member_id;
  select e.* into v_entitlement from public.plan_entitlements e where e.plan_id = v_plan and e.kind = p_kind;
  v_period := coalesce(v_entitlement.period, 'month');
  v_local_start := date_trunc(v_period, p_at at time zone v_tz);
  v_start := v_local_start at time zone v_tz;
  v_end := (v_local_start + case v_period when 'week' then interval '1 week' else interval '1 month' end) at time zone v_tz;
  if p_kind = 'class' then
    select count(*) into v_used from public.class_bookings cb
    where cb.member_id = p_member_id and cb.status <> 'cancelled'
      and cb.starts_at >= v_start and cb.starts_at < v_end;
  else
    select count(*) into v_used from public.benefit_bookings bb
    where bb.member_id = p_member_id and bb.status <> 'cancelled'
      and bb.starts_at >= v_start and bb.starts_at < v_end;
  end if;
  return query select v_entitlement.plan_id is not null,
    case when v_entitlement.plan_id is null then 0 else v_entitlement.sessions_per_period end,
    v_used, v_period, v_start, v_end;
end
$function$;

-- facility_slot_fingerprint(uuid)
CREATE OR REPLACE FUNCTION public.facility_slot_fingerprint(p_branch_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  return (
    select md5(concat_ws('|', 'v2', b.timezone, (
      select string_agg(concat_ws(',', f.id, f.available_days, s.open_time, s.close_time,
                                  s.slot_minutes, s.capacity), ';' order by f.id)
      from public.facilities f
      left join public.benefit_settings s on s.facility_id = f.id
      where f.branch_id = b.id and f.is_active and not f.under_maintenance
    )))
    from public.branches b
    where b.id = p_branch_id);
end
$function$;

-- facility_slot_plan(uuid,date,date,uuid)
CREATE OR REPLACE FUNCTION public.facility_slot_plan(p_branch_id uuid, p_start_date date, p_end_date date, p_facility_id uuid DEFAULT NULL::uuid)
 RETURNS TABLE(facility_id uuid, branch_id uuid, starts_at timestamp with time zone, ends_at timestamp with time zone, local_date date, local_start time without time zone, local_end time without time zone, capacity integer)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET jit TO 'off'
AS $function$
declare
  v_tz text := public.branch_time_zone(p_branch_id);
begin
  return query
  with config as (
    select f.id as facility_id, f.available_days,
           coalesce(s.open_time, time '06:00') as open_time,
           coalesce(s.close_time, time '22:00') as close_time,
           make_interval(mins => coalesce(s.slot_minutes, 30)) as slot_length,
           coalesce(s.capacity, 4) as capacity
    from public.facilities f
    left join public.benefit_settings s on s.facility_id = f.id
    where f.branch_id = p_branch_id and (p_facility_id is null or f.id = p_facility_id)
      and f.is_active and not f.under_maintenance
  ),
  days as materialized (
    -- Per day, once (inlined, the planner would redo these conversions for every slot): the
    -- distinct UTC offsets in force 36 hours before, at and 36 hours after local noon, and the
    -- instant of local midnight when there is one offset.
    select d as day, o.offsets,
           case when cardinality(o.offsets) = 1 then (d - o.offsets[1]) at time zone 'Etc/UTC' end as midnight
    from generate_series(p_start_date::timestamp, p_end_date::timestamp, interval '1 day') d
    cross join lateral (
      select array_agg(distinct (x.u at time zone v_tz) - (x.u at time zone 'Etc/UTC')) as offsets
      from unnest(array[-36, 0, 36]) h
      cross join lateral (select ((d + interval '12 hours') at time zone v_tz) + make_interval(hours => h) as u) x
    ) o
  ),
  slots as (
    select c.facility_id, c.capacity, c.slot_length, y.day, y.offsets, t as local_start,
           case when cardinality(y.offsets) = 1
             -- One offset all day: the day's UTC midnight plus the wall-clock time.
             then y.midnight + (t - y.day)
             -- A change of offset near this day: the earliest reading that maps back to t.
             else (select min(r.u)
                   from unnest(y.offsets) o
                   cross join lateral (select (t - o) at time zone 'Etc/UTC' as u) r
                   where (r.u at time zone v_tz) = t)
           end as starts_at
    from config c
    join days y on extract(isodow from y.day)::integer = any (c.available_days)
    cross join lateral generate_series(y.day + c.open_time, y.day + c.close_time - c.slot_length, c.slot_length) t
  )
  select s.facility_id, p_branch_id, s.starts_at, s.starts_at + s.slot_length, s.day::date,
         s.local_start::time,
         case when cardinality(s.offsets) = 1 then (s.local_start + s.slot_length)::time
              else ((s.starts_at + s.slot_length) at time zone v_tz)::time end,
         s.capacity
  from slots s
  where s.starts_at is not null;
end
$function$;

-- fold_name(text,boolean)
CREATE OR REPLACE FUNCTION public.fold_name(p_text text, p_spell_out boolean DEFAULT false)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v text;
begin
  if p_text is null then
    return null;
  end if;
  v := normalize(p_text, NFKC);
  if p_spell_out then
    v := replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(v,
           'ä', 'ae'), 'Ä', 'AE'), 'ö', 'oe'), 'Ö', 'OE'), 'ü', 'ue'), 'Ü', 'UE'),
           'ø', 'oe'), 'Ø', 'OE'), 'å', 'aa'), 'Å', 'AA');
  end if;
  v := replace(replace(replace(replace(replace(replace(replace(replace(v,
         'ß', 'ss'), 'ẞ', 'SS'), 'æ', 'ae'), 'Æ', 'AE'), 'œ', 'oe'), 'Œ', 'OE'), 'þ', 'th'), 'Þ', 'TH');
  v := translate(v, 'øØðÐđĐłŁıħĦŧŦŋŊĸ', 'ooddddllihhttnnk');
  -- Decompose and drop the combining marks; lower() then needs only ASCII's rules, whatever
  -- the database's locale.
  v := regexp_replace(normalize(v, NFD),
         E'[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g');
  return lower(v);
end
$function$;

-- fold_words(text)
CREATE OR REPLACE FUNCTION public.fold_words(p_folded text)
 RETURNS text[]
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  return array(
    select w
    from regexp_split_to_table(translate(coalesce(p_folded, ''), E'''\u2019\u2018\u02bc\u00b4`', ''),
                               E'[\\s!-/:-@\\[-`{-~\u00a0\u2010-\u2015\u2212\u00b7\u30fb]+') with ordinality x(w, i)
    where w <> ''
    order by i);
end
$function$;

-- is_iana_time_zone(text)
CREATE OR REPLACE FUNCTION public.is_iana_time_zone(tz text)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
 SET "TimeZone" TO 'Etc/UTC'
AS $function$
begin
  if tz = 'UTC' then
    return true;
  end if;
  if tz is null or not public.is_region_time_zone_name(tz) then
    return false;
  end if;
  perform set_config('timezone', tz, true);
  return current_setting('timezone') = tz;
exception when invalid_parameter_value then
  return false;
end
$function$;

-- is_region_time_zone_name(text)
CREATE OR REPLACE FUNCTION public.is_region_time_zone_name(tz text)
 RETURNS boolean
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  return tz ~ '^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)(/[A-Za-z0-9_+-]+){1,2}$';
end
$function$;

-- materialise_facility_slots(uuid,date,date)
CREATE OR REPLACE FUNCTION public.materialise_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  max_days constant integer := 62;
  v_days integer;
  v_inserted integer;
  v_broken text;
  v_fingerprint text;
  v_facility uuid[];
  v_starts timestamptz[];
  v_ends timestamptz[];
  v_date date[];
  v_local_start time[];
  v_local_end time[];
  v_capacity integer[];
  v_unplanned uuid[];
  v_horizon date;
begin
  if p_branch_id is null or p_start_date is null or p_end_date is null then
    raise exception 'A branch, a start date and an end date are all required.'
      using errcode = 'BD001';
  end if;
  if not (isfinite(p_start_date) and isfinite(p_end_date))
     or p_start_date < date '1900-01-01' or p_end_date > date '9999-12-31' then
    raise exception 'Slots are made for days between 1900-01-01 and 9999-12-31.' using errcode = 'BD001';
  end if;
  if p_end_date < p_start_date then
    raise exception 'The end date % is before the start date %.', p_end_date, p_start_date
      using errcode = 'BD001';
  end if;
  v_days := p_end_date - p_start_date + 1;
  if v_days > max_days then
    raise exception 'A range of % days is too long: slots are generated at most % days at a time.',
      v_days, max_days
      using errcode = 'BD001';
  end if;
  if not exists (select 1 from public.branches b where b.id = p_branch_id) then
    raise exception 'Branch % does not exist.', p_branch_id using errcode = 'BD002';
  end if;
  if not public.caller_may_use_branch(p_branch_id) then
    raise exception 'This session may not generate slots for that branch.' using errcode = 'BD003';
  end if;

  -- Days more than recovery_slot_retention_days() before the branch's today are history: the
  -- prune deletes their unbooked slots, and no desk or member makes them again (an
  -- administrator still may: the demo's and the tests' generators make past weeks).
  if public.caller_kind() is distinct from 'administrator' then
    -- The statement's time, not the transaction's: a transaction begun before midnight must not
    -- make a day the prune has since deleted.
    v_horizon := (statement_timestamp() at time zone public.branch_time_zone(p_branch_id))::date
                 - public.recovery_slot_retention_days();
    if p_end_date < v_horizon then
      return 0;
    elsif p_start_date < v_horizon then
      return public.materialise_facility_slots(p_branch_id, v_horizon, p_end_date);
    end if;
  end if;

  -- Nothing changed since every day of the range was made: nothing to add or remove.
  v_fingerprint := public.facility_slot_fingerprint(p_branch_id);
  if (select count(*) from public.benefit_slot_days d
      where d.branch_id = p_branch_id and d.local_date between p_start_date and p_end_date
        and d.fingerprint = v_fingerprint) = v_days then
    return 0;
  end if;

  -- One call at a time makes this branch's slots; a call that waited here may find them made.
  perform 1 from public.branches b where b.id = p_branch_id for no key update;
  if (select count(*) from public.benefit_slot_days d
      where d.branch_id = p_branch_id and d.local_date between p_start_date and p_end_date
        and d.fingerprint = public.facility_slot_fingerprint(p_branch_id)) = v_days then
    return 0;
  end if;

  -- Settings that the table's constraints forbid today may still exist in an older database.
  select string_agg(format('%s (%s)', f.name,
           case when s.open_time >= s.close_time then 'closes before it opens'
                when s.slot_minutes <= 0 then 'slot length is not positive'
                when s.capacity <= 0 then 'capacity is not positive'
                else 'slot is longer than opening hours' end), ', ')
    into v_broken
  from public.facilities f
  join public.benefit_settings s on s.facility_id = f.id
  where f.branch_id = p_branch_id and f.is_active and not f.under_maintenance
    and (s.open_time >= s.close_time or s.slot_minutes <= 0 or s.capacity <= 0
         or s.close_time - s.open_time < make_interval(mins => s.slot_minutes));
  if v_broken is not null then
    raise exception 'Facility settings need fixing before slots can be generated: %.', v_broken
      using errcode = 'BD007';
  end if;

  -- The plan and its fingerprint, from one snapshot.
  select public.facility_slot_fingerprint(p_branch_id),
         coalesce(array_agg(w.facility_id), '{}'), coalesce(array_agg(w.starts_at), '{}'),
         coalesce(array_agg(w.ends_at), '{}'), coalesce(array_agg(w.local_date), '{}'),
         coalesce(array_agg(w.local_start), '{}'), coalesce(array_agg(w.local_end), '{}'),
         coalesce(array_agg(w.capacity), '{}')
    into v_fingerprint, v_facility, v_starts, v_ends, v_date, v_local_start, v_local_end, v_capacity
  from public.facility_slot_plan(p_branch_id, p_start_date, p_end_date) w;

  -- The range's slots that the plan does not have (to the local times they store: a slot made
  -- under earlier rules with another local_end is made again). Future, never-booked ones go;
  -- the rest stay (bookings keep them, or they have begun) and are recorded with their day.
  select coalesce(array_agg(s.id), '{}') into v_unplanned
  from public.benefit_slots s
  where s.branch_id = p_branch_id
    and s.local_date between p_start_date and p_end_date
    -- NOT IN over the plan: one hashed subplan.
    and (s.facility_id, s.starts_at, s.ends_at, s.capacity, s.local_date, s.local_start, s.local_end) not in (
      select * from unnest(v_facility, v_starts, v_ends, v_capacity, v_date, v_local_start, v_local_end));
  delete from public.benefit_slots s
  where s.id = any (v_unplanned)
    and s.starts_at > now()
    and s.booked_count = 0
    and not exists (select 1 from public.benefit_bookings b where b.slot_id = s.id);

  insert into public.benefit_slots
    (facility_id, branch_id, starts_at, ends_at, local_date, local_start, local_end, capacity)
  select w.facility_id, p_branch_id, w.starts_at, w.ends_at, w.local_date, w.local_start, w.local_end, w.capacity
  from unnest(v_facility, v_starts, v_ends, v_date, v_local_start, v_local_end, v_capacity)
    w(facility_id, starts_at, ends_at, local_date, local_start, local_end, capacity)
  on conflict (facility_id, starts_at) do nothing;
  get diagnostics v_inserted = row_count;

  insert into public.benefit_slot_days (branch_id, local_date, fingerprint, kept)
  select p_branch_id, d::date, v_fingerprint, coalesce(k.ids, '{}')
  from generate_series(p_start_date::timestamp, p_end_date::timestamp, interval '1 day') d
  left join (select s.local_date, array_agg(s.id) as ids from public.benefit_slots s
             where s.id = any (v_unplanned) group by s.local_date) k on k.local_date = d::date
  on conflict (branch_id, local_date)
    do update set fingerprint = excluded.fingerprint, kept = excluded.kept, made_at = excluded.made_at;

  return v_inserted;
end
$function$;

-- member_entitlements(uuid,timestamp with time zone)
CREATE OR REPLACE FUNCTION public.member_entitlements(p_member_id uuid, p_at timestamp with time zone DEFAULT now())
 RETURNS TABLE(kind text, period text, included boolean, allowance integer, used integer, remaining integer, period_start timestamp with time zone, period_end timestamp with time zone)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
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
$function$;

-- member_name_words_learn()
CREATE OR REPLACE FUNCTION public.member_name_words_learn()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  insert into public.member_name_words (word, keys)
  select x.w, public.name_word_keys(x.w)
  from (select distinct unnest(tsvector_to_array(r.name_search)) from changed r) x(w)
  where x.w not like '=%'
  on conflict (word) do nothing;
  return null;
end
$function$;

-- member_number_digits(text)
CREATE OR REPLACE FUNCTION public.member_number_digits(p_number text)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  return nullif(ltrim(regexp_replace(coalesce(p_number, ''), '[^0-9]', '', 'g'), '0'), '');
end
$function$;

-- member_number_key(text)
CREATE OR REPLACE FUNCTION public.member_number_key(p_number text)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v text := regexp_replace(upper(public.fold_name(coalesce(p_number, ''))), '[^A-Z0-9]', '', 'g');
begin
  return regexp_replace(v, '^([A-Z]*)0*([0-9])', E'\\1\\2');
end
$function$;

-- name_keys(text,text)
CREATE OR REPLACE FUNCTION public.name_keys(p_first text, p_last text)
 RETURNS text[]
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_keys text[] := '{}';
  v_spell boolean;
  v_first text[];
  v_last text[];
begin
  foreach v_spell in array array[false, true] loop
    v_first := public.fold_words(public.fold_name(p_first, v_spell));
    v_last := public.fold_words(public.fold_name(p_last, v_spell));
    v_keys := v_keys || v_first || v_last;
    if cardinality(v_first) > 1 then
      v_keys := v_keys || array_to_string(v_first, '');
    end if;
    if cardinality(v_last) > 1 then
      v_keys := v_keys || array_to_string(v_last, '');
    end if;
    v_keys := v_keys || ('=' || array_to_string(v_first || v_last, ''))
                     || ('=' || array_to_string(v_last || v_first, ''));
  end loop;
  return array(select distinct k from unnest(v_keys) k where k <> '' and k <> '=' order by 1);
end
$function$;

-- name_word_keys(text)
CREATE OR REPLACE FUNCTION public.name_word_keys(p_word text)
 RETURNS text[]
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  return (
    select coalesce(array_agg(distinct k), '{}')
    from (
      select p_word
      union all
      select overlay(p_word placing '' from i for 1) from generate_series(1, length(p_word)) i
    ) x(k)
    where length(k) >= 3);
end
$function$;

-- override_reason_max_length()
CREATE OR REPLACE FUNCTION public.override_reason_max_length()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
RETURN 500;

-- override_reason_min_length()
CREATE OR REPLACE FUNCTION public.override_reason_min_length()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
RETURN 3;

-- prune_recovery_slots(integer)
CREATE OR REPLACE FUNCTION public.prune_recovery_slots(p_days integer DEFAULT 7)
 RETURNS bigint
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET lock_timeout TO '2s'
AS $function$
declare
  b record;
  v_horizon date;
  v_from date;
  v_n bigint;
  v_deleted bigint := 0;
begin
  if p_days is null or p_days not between 1 and 366 then
    raise exception 'Prune 1 to 366 days at a time.' using errcode = 'BD001';
  end if;
  for b in select br.id from public.branches br order by br.code loop
    -- One branch at a time: a branch whose time zone is refused, or whose old rows a session
    -- holds locked (a desk's transaction left open across midnight), waits for the next run
    -- with a warning; the other branches are pruned.
    begin
      v_horizon := (statement_timestamp() at time zone public.branch_time_zone(b.id))::date
                   - public.recovery_slot_retention_days();
      select min(s.local_date) into v_from
      from public.benefit_slots s
      where s.branch_id = b.id and s.local_date < v_horizon and s.booked_count = 0
        and not exists (select 1 from public.benefit_bookings bb where bb.slot_id = s.id);
      continue when v_from is null;
      delete from public.benefit_slots s
      where s.branch_id = b.id and s.local_date between v_from and least(v_from + p_days - 1, v_horizon - 1)
        and s.booked_count = 0
        and not exists (select 1 from public.benefit_bookings bb where bb.slot_id = s.id);
      get diagnostics v_n = row_count;
      delete from public.benefit_slot_days d
      where d.branch_id = b.id and d.local_date between v_from and least(v_from + p_days - 1, v_horizon - 1);
      v_deleted := v_deleted + v_n;
    exception when lock_not_available or sqlstate 'BD007' then
      raise warning 'Branch % is not pruned this time: %', b.id, sqlerrm;
    end;
  end loop;
  return v_deleted;
end
$function$;

-- record_pin_attempt(uuid,boolean)
CREATE OR REPLACE FUNCTION public.record_pin_attempt(p_staff_id uuid, p_success boolean)
 RETURNS TABLE(failed_pin_attempts integer, locked_until timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET lock_timeout TO '3s'
AS $function$
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
$function$;

-- recovery_slot_retention_days()
CREATE OR REPLACE FUNCTION public.recovery_slot_retention_days()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$ select 35 $function$;

-- resolve_booking_actor(uuid,uuid,uuid)
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

-- search_member_hits(text,integer)
CREATE OR REPLACE FUNCTION public.search_member_hits(p_query text, p_limit integer DEFAULT 20)
 RETURNS TABLE(member_id uuid, member_number text, first_name text, last_name text, email text, phone text, status text, home_branch_id uuid, plan_id uuid, score real)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'extensions', 'pg_temp'
 SET jit TO 'off'
AS $function$
declare
  max_length constant integer := 200;
  -- More words than this are ignored (a name has fewer).
  max_words constant integer := 6;
  q text;
  q_like text;
  digits text;
  v_key text;
  v_branch uuid;
  typed text[] := '{}';
  spelt text[];
  v_initial boolean;
  v_ids uuid[];
  v_scores real[];
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception 'Show between 1 and 100 results.' using errcode = 'BD001';
  end if;
  if length(p_query) > max_length then
    raise exception 'Search text is too long: use at most % characters.', max_length using errcode = 'BD001';
  end if;
  q := btrim(regexp_replace(public.fold_name(coalesce(p_query, '')), E'[\\s\u00a0\u2000-\u200b\u3000]+', ' ', 'g'));
  if q = '' then
    return;
  end if;
  -- Folding can lengthen text (one "㌖" is six letters): the limit holds after it too.
  if octet_length(q) > 4 * max_length then
    raise exception 'Search text is too long: use at most % characters.', max_length using errcode = 'BD001';
  end if;
  -- The query is data, never pattern syntax: escape LIKE's metacharacters.
  q_like := replace(replace(replace(q, E'\\', E'\\\\'), '%', E'\\%'), '_', E'\\_');
  digits := regexp_replace(q, '[^0-9]', '', 'g');
  v_key := public.member_number_key(q);
  -- Ties go to this desk's branch (a head-office desk has none).
  select case when cardinality(b) = 1 then b[1] end into v_branch from (select public.desk_branch_ids() b) x;
  -- A name has no digits and no '@', and at least two characters that are not punctuation.
  if q !~ '[0-9@]' then
    typed := (public.fold_words(q))[1:max_words];
    if length(array_to_string(typed, '')) < 2 then
      typed := '{}';
    end if;
  end if;

  if cardinality(typed) = 0 then
    -- Member numbers, emails and phones.
    return query
    with candidates as (
      select m.id, 3.0::real as s from public.members m
      where v_key ~ '[0-9]' and m.member_number_key = v_key
      union all
      select m.id, 2.9 from public.members m
      where q ~ '^[# ]*[a-z]{0,4}[ #./-]*[0-9][0-9 ./-]*$' and length(digits) between 1 and 12
        and m.member_number_digits = ltrim(digits, '0')
      union all
      select m.id, 2.0 from public.members m
      where q ~ '^[# ]*[a-z]{1,4}[ #./-]*[0-9]{2,}$' and m.member_number_key like v_key || '%'
      union all
      select m.id, 3.0 from public.members m
      where position('@' in q) > 0 and lower(m.email) = q
      union all
      select m.id, 1.0 + similarity(lower(m.email), q) from public.members m
      where length(q) >= 3 and q !~ ' ' and (q ~ '[@._+-]' or length(q) >= 5) and q ~ '[a-z]'
        -- A whole email that someone has needs no fragments.
        and not (position('@' in q) > 0 and exists (select 1 from public.members x where lower(x.email) = q))
        and lower(m.email) like '%' || q_like || '%'
      union all
      -- The same phone, with or without country code or trunk 0: its last nine digits.
      select m.id, 3.0 from public.members m
      where length(digits) >= 9 and q ~ '^[0-9 ()+./-]+$' and right(m.phone_digits, 9) = right(digits, 9)
      union all
      select m.id, 1.8 from public.members m
      where length(digits) = 4 and q ~ '^[0-9 ()+./-]+$' and right(m.phone_digits, 4) = digits
      union all
      select m.id, case when m.phone_digits like '%' || digits then 1.8 else 1.4 end from public.members m
      where length(digits) between 5 and 8 and q ~ '^[0-9 ()+./-]+$' and m.phone_digits like '%' || digits || '%'
    ),
    best as (
      select c.id, max(c.s) as s from candidates c group by c.id
    )
    select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
           m.home_branch_id, m.plan_id, b.s::real
    from best b
    join public.members m on m.id = b.id
    order by b.s desc, (m.home_branch_id = v_branch) desc nulls last, (m.status = 'active') desc,
             m.last_name, m.first_name, m.member_number
    limit p_limit;
    return;
  end if;

  -- Each typed word in the other spelling too ("muller" for "mueller" is not a slip, but the
  -- member may be stored either way).
  spelt := (public.fold_words(public.fold_name(p_query, true)))[1:max_words];

  -- A single typed word: ranked over the members of its best-scoring name words, enough to fill
  -- the page (search_member_word_hits). Punctuation may make a word of 3 letters or more an
  -- email fragment ("jean-" or "ana.l" go below, as before; "al-" on the way to Al-Amin does not),
  -- and when no name has the word the search goes on below (an email fragment, a slip).
  if cardinality(typed) = 1 and (q !~ '[._+-]' or length(typed[1]) <= 2) then
    return query select * from public.search_member_word_hits(typed[1], spelt[1], v_branch, p_limit);
    if found then
      return;
    end if;
  end if;

  -- A name and the first letter of the next ("olivia k"): a one-letter word need not match
  -- (below), so every Olivia would be scored. Asked first among the members who also have a
  -- word with that letter: each of them scores above 0.5, and every other member at most 0.5
  -- (the mean of 1.0 and 0), so when they fill the page it is the page. Else asked again.
  v_initial := cardinality(typed) = 2 and length(typed[2]) = 1 and length(typed[1]) > 2;
  loop
    -- The tsquery: every typed word begins a name word (in either spelling, or is one slip
    -- from one); or two adjacent typed words, or all of them, are one run-together word.
    select coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.s), '{}') into v_ids, v_scores
    from (
    with typed_words as (
      select t.tw, coalesce(spelt[t.i], t.tw) as sw, t.i, public.name_word_keys(t.tw) as keys
      from unnest(typed) with ordinality t(tw, i)
    ),
    slips as (
      select t.i, v.word
      from typed_words t
      join public.member_name_words v on length(t.tw) >= 4 and v.keys && t.keys and v.word <> t.tw
    ),
    -- A typed word stands for the name words it begins, except a word of one or two letters
    -- before the last (de, da, le, al: particles, or names such as Ho and Li): that one is a
    -- whole word, since the desk has moved on from it.
    alternatives as (
      select t.i, '(' || quote_literal(t.tw) || t.prefix
               || case when t.sw <> t.tw then ' | ' || quote_literal(t.sw) || t.prefix else '' end
               || coalesce((select string_agg(' | ' || quote_literal(s.word), '') from slips s where s.i = t.i), '')
               || ')' as alt
      from (select t.*, case when length(t.tw) <= 2 and t.i < cardinality(typed) then '' else ':*' end as prefix
            from typed_words t) t
    ),
    -- What must match: every typed word (one-letter words, initials, only when nothing longer
    -- than two letters was typed: a lone "e" or "s" starts a tenth of all name words; or on the
    -- first try for a name and an initial, above), or the typed words run together as one word
    -- or as the whole name.
    every_word as (
      select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
      where m.name_search @@ (
        select ('(' || coalesce((select string_agg(a.alt, ' & ' order by a.i) from alternatives a
                                 join typed_words t on t.i = a.i
                                 where length(t.tw) > 1 or v_initial or not exists (select 1 from typed_words l where length(l.tw) > 2)), '')
                || ')' || case when cardinality(typed) > 1
                               then ' | ' || quote_literal(array_to_string(typed, '')) || ':*' else '' end
                || ' | ' || quote_literal('=' || array_to_string(typed, '')) || ':*')::tsquery)
    ),
    -- Else two adjacent typed words may be one word of the name ("jean luc" for Jeanluc).
    paired as (
      select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
      where not exists (select 1 from every_word) and cardinality(typed) between 2 and 4
        and m.name_search @@ (
          select string_agg('(' || g.q || ')', ' | ')::tsquery from (
            select string_agg(case when a.i = k then '(' || quote_literal(t1.tw || t2.tw) || ':*)'
                                   else a.alt end, ' & ' order by a.i) as q
            from generate_series(1, cardinality(typed) - 1) k
            join typed_words t1 on t1.i = k
            join typed_words t2 on t2.i = k + 1
            join alternatives a on a.i <> k + 1
            group by k) g)
    ),
    -- Else members who match some of the typed words.
    some_word as (
      select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
      where not exists (select 1 from every_word) and not exists (select 1 from paired)
        and m.name_search @@ (select string_agg(a.alt, ' | ')::tsquery from alternatives a)
    ),
    names as (
      select n.id, n.member_number, n.first_name, n.last_name, n.email, n.phone, n.status,
             n.home_branch_id, n.plan_id,
             -- An exact whole name needs no more scoring (common names have hundreds of those).
             case when x.whole >= 1.1 then 1.1 else (
               select greatest(x.whole, b.mean,
                 -- Two adjacent typed words as one run-together word, the others as they are:
                 -- asked only when a typed word matched no word of the name by itself ("jean luc"
                 -- for Jeanluc).
                 case when b.worst = 0 then (
                   select max(p.s) from (
                     select (2 * max(case when nw.word = t1.tw || t2.tw then 1.0
                                          when starts_with(nw.word, t1.tw || t2.tw)
                                            then 0.7 + 0.25 * length(t1.tw || t2.tw) / length(nw.word)
                                          else 0 end)
                             + coalesce((select sum(y.best) from (
                                  select max(case when w2.word in (t.tw, t.sw) then 1.0
                                                  when starts_with(w2.word, t.tw) then 0.7 + 0.25 * length(t.tw) / length(w2.word)
                                                  else 0 end) as best
                                  from typed_words t cross join unnest(tsvector_to_array(n.name_search)) w2(word)
                                  where t.i not in (t1.i, t2.i) and w2.word not like '=%'
                                  group by t.i) y), 0)) / cardinality(typed) as s
                     from typed_words t1
                     join typed_words t2 on t2.i = t1.i + 1
                     cross join unnest(tsvector_to_array(n.name_search)) nw(word)
                     group by t1.i, t2.i) p)
                 else 0 end)
               from (
                 -- Word by word: the mean of each typed word's best match, and the worst.
                 select avg(w.best) as mean, min(w.best) as worst from (
                   select max(case when nw.word in (t.tw, t.sw) then 1.0
                                   when starts_with(nw.word, t.tw) then 0.7 + 0.25 * length(t.tw) / length(nw.word)
                                   when starts_with(nw.word, t.sw) then 0.7 + 0.25 * length(t.sw) / length(nw.word)
                                   when exists (select 1 from slips s where s.i = t.i and s.word = nw.word)
                                     then 0.55 + 0.1 * similarity(nw.word, t.tw)
                                   else 0 end) as best
                   from typed_words t
                   cross join unnest(tsvector_to_array(n.name_search)) nw(word)
                   where nw.word not like '=%'
                   group by t.i) w) b)
             end::real as s
      from (select * from every_word union all select * from paired union all select * from some_word) n
      cross join lateral (
        -- The whole name, however spaced: exactly, or its start.
        select coalesce(max(case when nw.word = '=' || array_to_string(typed, '') then 1.1
                                 when starts_with(nw.word, '=' || array_to_string(typed, ''))
                                   then 0.7 + 0.25 * length(array_to_string(typed, '')) / (length(nw.word) - 1)
                                 else 0 end), 0) as whole
        from unnest(tsvector_to_array(n.name_search)) nw(word) where nw.word like '=%'
      ) x
    ),
    candidates as (
      select n.* from names n
      union all
      select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
             m.home_branch_id, m.plan_id, 3.0::real
      from public.members m
      where v_key ~ '[0-9]' and m.member_number_key = v_key
      union all
      -- A plain word of 5+ letters is an email fragment only when it is no one's name ("livsmith").
      select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
             m.home_branch_id, m.plan_id, (1.0 + similarity(lower(m.email), q))::real
      from public.members m
      where length(q) >= 3 and q !~ ' '
        and (q ~ '[._+-]' or (length(q) >= 5 and not exists (select 1 from names)))
        and lower(m.email) like '%' || q_like || '%'
    ),
    best as (
      select distinct on (c.id) c.* from candidates c order by c.id, c.s desc
    )
    select b.id, b.s
    from best b
    order by b.s desc, (b.home_branch_id = v_branch) desc nulls last, (b.status = 'active') desc,
             b.last_name, b.first_name, b.member_number
    limit p_limit
    ) r;
    exit when not v_initial or (cardinality(v_ids) = p_limit and (select min(x) from unnest(v_scores) x) > 0.5);
    v_initial := false;
  end loop;

  return query
  select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
         m.home_branch_id, m.plan_id, x.s
  from unnest(v_ids, v_scores) x(id, s)
  join public.members m on m.id = x.id
  order by x.s desc, (m.home_branch_id = v_branch) desc nulls last, (m.status = 'active') desc,
           m.last_name, m.first_name, m.member_number;
end
$function$;

-- search_member_word_hits(text,text,uuid,integer)
CREATE OR REPLACE FUNCTION public.search_member_word_hits(p_word text, p_spelt text, p_branch uuid, p_limit integer)
 RETURNS TABLE(member_id uuid, member_number text, first_name text, last_name text, email text, phone text, status text, home_branch_id uuid, plan_id uuid, score real)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'extensions', 'pg_temp'
 SET jit TO 'off'
AS $function$
declare
  v_sw text := coalesce(p_spelt, p_word);
  v_whole text := '=' || p_word;
  -- Words one slip away: only for four letters or more.
  v_keys text[] := case when length(p_word) >= 4 then public.name_word_keys(p_word) end;
  v_slips text[];
  v_words text[];
  v_scores real[];
  v_level real;
  v_level_words tsquery;
  -- The members whose whole name may score above their words (scored one by one, below): an
  -- exact whole name, and whole names beginning with the typed word whose first word is shorter
  -- than it.
  v_whole_names tsquery;
  v_prefixes text;
  -- What the levels above took: their words, and their members best first.
  v_above tsquery;
  v_ids uuid[] := '{}';
  v_id_scores real[] := '{}';
  v_more uuid[];
begin
  if p_word is null or p_word = '' or p_limit is null or p_limit < 1 then
    return;
  end if;
  select coalesce(array_agg(v.word), '{}') into v_slips
  from public.member_name_words v
  where v_keys is not null and v.keys && v_keys and v.word <> p_word
    and not starts_with(v.word, p_word) and not starts_with(v.word, v_sw);
  -- The vocabulary's words the typed word stands for, each with the score it gives a member who
  -- has it (search_member_hits's word-by-word rule for one typed word). Every other word scores 0.
  select coalesce(array_agg(x.word), '{}'), coalesce(array_agg(x.s), '{}')
    into v_words, v_scores
  from (
    select v.word,
           (case when v.word in (p_word, v_sw) then 1.0
                 when starts_with(v.word, p_word) then 0.7 + 0.25 * length(p_word) / length(v.word)
                 when starts_with(v.word, v_sw) then 0.7 + 0.25 * length(v_sw) / length(v.word)
                 else 0.55 + 0.1 * similarity(v.word, p_word) end)::real as s
    from public.member_name_words v
    where v.word like p_word || '%' or v.word like v_sw || '%' or v.word = any (v_slips)
  ) x;

  v_whole_names := quote_literal(v_whole)::tsquery;
  select string_agg(quote_literal(v.word), ' | ') into v_prefixes
  from public.member_name_words v
  where v.word = any (array(select left(p_word, n) from generate_series(1, length(p_word) - 1) n));
  if v_prefixes is not null then
    v_whole_names := v_whole_names || ((quote_literal(v_whole) || ':*')::tsquery && v_prefixes::tsquery);
  end if;

  -- A score at a time, best first: every other member with a word of this score scores exactly
  -- that, so only the best of them by the tie rules can be on the page. Stop when the page is
  -- full.
  v_above := v_whole_names;
  for v_level in select distinct s from unnest(v_scores) s order by 1 desc loop
    exit when cardinality(v_ids) >= p_limit;
    v_level_words := (select string_agg(quote_literal(x.w), ' | ') from unnest(v_words, v_scores) x(w, s)
                      where x.s = v_level)::tsquery;
    v_more := array(
      select m.id from public.members m
      where m.name_search @@ v_level_words and not (m.name_search @@ v_above)
      order by (m.home_branch_id = p_branch) desc nulls last, (m.status = 'active') desc,
               m.last_name, m.first_name, m.member_number
      limit p_limit - cardinality(v_ids));
    v_ids := v_ids || v_more;
    v_id_scores := v_id_scores || array_fill(v_level, array[cardinality(v_more)]);
    v_above := v_above || v_level_words;
  end loop;

  return query
  with hits as (
    select m.*, x.s
    from unnest(v_ids, v_id_scores) x(id, s)
    join public.members m on m.id = x.id
    union all
    -- Its best word's score from the vocabulary's (above), or its whole name's.
    select m.*, greatest(
             (select max(x.s) from unnest(v_words, v_scores) x(w, s)
              where x.w = any (tsvector_to_array(m.name_search))),
             (select max(case when nw.word = v_whole then 1.1
                              else 0.7 + 0.25 * length(p_word) / (length(nw.word) - 1) end)
              from unnest(tsvector_to_array(m.name_search)) nw(word)
              where starts_with(nw.word, v_whole)))::real
    from public.members m
    where m.name_search @@ v_whole_names
  )
  select h.id, h.member_number, h.first_name, h.last_name, h.email, h.phone, h.status,
         h.home_branch_id, h.plan_id, h.s
  from hits h
  order by h.s desc, (h.home_branch_id = p_branch) desc nulls last, (h.status = 'active') desc,
           h.last_name, h.first_name, h.member_number
  limit p_limit;
end
$function$;

-- search_members(text,integer)
CREATE OR REPLACE FUNCTION public.search_members(p_query text, p_limit integer DEFAULT 20)
 RETURNS TABLE(member_id uuid, member_number text, first_name text, last_name text, email text, phone text, status text, home_branch_id uuid, plan_id uuid, score real, home_branch_name text, booked_today text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'extensions', 'pg_temp'
AS $function$
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
$function$;

-- set_booking_status(text,uuid,text,uuid)
CREATE OR REPLACE FUNCTION public.set_booking_status(p_kind text, p_booking_id uuid, p_status text, p_staff_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET lock_timeout TO '3s'
AS $function$
declare
  v_branch uuid;
  v_member uuid;
  v_status text;
  v_starts timestamptz;
  v_actor record;
  v_once_started boolean;
begin
  perform public.check_read_committed('Check-ins and no-shows are recorded');
  perform public.check_fresh_transaction('Check-ins and no-shows are recorded');
  if p_kind is null or p_kind not in ('class', 'recovery') or p_booking_id is null
     or p_status is null or p_status = 'cancelled'
     or not exists (select 1 from public.booking_status_changes c where c.to_status = p_status) then
    raise exception 'Say which booking (kind class or recovery, and its id) and the new status: attended or no_show.'
      using errcode = 'BD001';
  end if;
  if p_kind = 'class' then
    select b.branch_id, b.member_id, b.status, b.starts_at into v_branch, v_member, v_status, v_starts
    from public.class_bookings b where b.id = p_booking_id for update;
  else
    select b.branch_id, b.member_id, b.status, b.starts_at into v_branch, v_member, v_status, v_starts
    from public.benefit_bookings b where b.id = p_booking_id for update;
  end if;
  if v_branch is null then
    raise exception 'That booking does not exist.' using errcode = 'BD002';
  end if;
  select * into v_actor from public.resolve_booking_actor(v_branch, v_member, p_staff_id);
  if not v_actor.is_staff then
    raise exception 'Only staff at a desk can check members in or mark no-shows.' using errcode = 'BD003';
  end if;
  select c.once_started into v_once_started from public.booking_status_changes c
  where c.from_status = v_status and c.to_status = p_status;
  if not found then
    raise exception 'A booking that is % cannot become %.', replace(v_status, '_', '-'), replace(p_status, '_', '-')
      using errcode = 'BD001';
  end if;
  if v_once_started and now() < v_starts then
    raise exception 'A booking can be marked as a no-show only once it has started.' using errcode = 'BD001';
  end if;
  if p_kind = 'class' then
    update public.class_bookings
    set status = p_status, status_changed_at = now(), status_changed_by_staff_id = v_actor.staff_id,
        checked_in_at = case when p_status = 'attended' then now() else checked_in_at end
    where id = p_booking_id;
  else
    update public.benefit_bookings
    set status = p_status, status_changed_at = now(), status_changed_by_staff_id = v_actor.staff_id,
        checked_in_at = case when p_status = 'attended' then now() else checked_in_at end
    where id = p_booking_id;
  end if;
end
$function$;

-- trim_space(text)
CREATE OR REPLACE FUNCTION public.trim_space(p_text text)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  return regexp_replace(p_text,
    E'^[\\s\u0085\u00a0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+|[\\s\u0085\u00a0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+$',
    '', 'g');
end
$function$;

-- visible_length(text)
CREATE OR REPLACE FUNCTION public.visible_length(p_text text)
 RETURNS integer
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  return length(regexp_replace(p_text,
    E'[\\s\u0085\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u206a-\u206f\u3000\ufeff]',
    '', 'g'));
end
$function$;
