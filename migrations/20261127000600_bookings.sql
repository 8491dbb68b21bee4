-- Why: every booking rule holds in the database, where concurrent desks and the members' app
-- meet (SPEC.md "Booking rules"). Members and desks call the same functions:
--   book_class, book_benefit_slot     capacity, no double booking, idempotency key, override
--                                     (permission + reason, recorded), waitlist (classes),
--                                     plan allowance
--   cancel_booking, set_booking_status   transitions; waitlist promotion; nothing hard-deleted
--   member_entitlements                what a plan includes per period, used and remaining
-- Concurrency: each booking function locks the class or slot row first (SELECT ... FOR UPDATE),
-- so bookings, cancellations and promotions of one class or slot run one after another and
-- the counters (booked_count, waitlist_count) always equal the rows. The partial unique
-- indexes of the schema back up "never booked twice".
--
-- Errors (SQLSTATE, message written for staff):
--   BD001 invalid input or transition   BD002 not found   BD003 not allowed
--   BD004 full (detail {"booked","capacity","waitlist"})   BD005 already booked
--   BD006 plan allowance used (detail {"used","allowance","period"})

-- Who is acting: a desk with a signed-in staff member, or a member for themselves.
-- Internal: called by the SECURITY DEFINER functions below with their owner's rights.
create function public.resolve_booking_actor(p_branch_id uuid, p_member_id uuid, p_staff_id uuid)
  returns table (member_id uuid, staff_id uuid, is_staff boolean, can_override boolean)
  language plpgsql stable
  set search_path = pg_catalog, public
as $$
declare
  v_member uuid;
  v_staff public.staff;
begin
  if exists (select 1 from public.desk_roles d where d.role_name = session_user::text)
     or (auth.uid() is null and public.caller_may_use_branch(p_branch_id)) then
    -- A desk (or an administrator session): the signed-in staff member is recorded.
    if not public.caller_may_use_branch(p_branch_id) then
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

  if auth.uid() is not null then
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
revoke execute on function public.resolve_booking_actor(uuid, uuid, uuid) from public, anon, authenticated;

-- Refuses an override that the actor may not make or that lacks a reason.
create function public.check_override(p_is_staff boolean, p_can_override boolean, p_reason text, p_what text)
  returns void
  language plpgsql immutable
  set search_path = pg_catalog
as $$
begin
  if not p_is_staff then
    raise exception 'Only staff at a desk can override the %.', p_what using errcode = 'BD003';
  end if;
  if not p_can_override then
    raise exception 'Overriding the % needs a manager or the override permission.', p_what using errcode = 'BD003';
  end if;
  if p_reason is null or length(btrim(p_reason)) < 3 then
    raise exception 'Give a reason for overriding the %.', p_what using errcode = 'BD001';
  end if;
end
$$;
revoke execute on function public.check_override(boolean, boolean, text, text) from public, anon, authenticated;

-- A member's use of one kind of entitlement in the plan period containing p_at. Periods are
-- ISO weeks or calendar months in the member's home branch time zone. Waitlisted, booked,
-- attended and no-show bookings count; cancelled ones do not.
create function public.entitlement_usage(p_member_id uuid, p_kind text, p_at timestamptz)
  returns table (included boolean, allowance integer, used integer, period text,
                 period_start timestamptz, period_end timestamptz)
  language plpgsql stable
  set search_path = pg_catalog, public
as $$
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
  select b.timezone, m.plan_id into v_tz, v_plan
  from public.members m join public.branches b on b.id = m.home_branch_id
  where m.id = p_member_id;
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
$$;
revoke execute on function public.entitlement_usage(uuid, text, timestamptz) from public, anon, authenticated;

-- Refuses a booking past the plan's allowance unless a permitted override with a reason is given.
-- Returns true when the override was needed (and so is recorded).
create function public.check_allowance(p_member_id uuid, p_kind text, p_at timestamptz,
    p_override boolean, p_is_staff boolean, p_can_override boolean, p_reason text)
  returns boolean
  language plpgsql stable
  set search_path = pg_catalog, public
as $$
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
$$;
revoke execute on function public.check_allowance(uuid, text, timestamptz, boolean, boolean, boolean, text)
  from public, anon, authenticated;

create function public.check_member_may_book(p_member_id uuid) returns void
  language plpgsql stable
  set search_path = pg_catalog, public
as $$
declare
  v_status text;
begin
  select m.status into v_status from public.members m where m.id = p_member_id;
  if not found then
    raise exception 'That member does not exist.' using errcode = 'BD002';
  end if;
  if v_status <> 'active' then
    raise exception 'The membership is %: only active members can book.', v_status using errcode = 'BD001';
  end if;
end
$$;
revoke execute on function public.check_member_may_book(uuid) from public, anon, authenticated;

create function public.check_booking_input(p_target uuid, p_member_id uuid, p_key uuid, p_reason text)
  returns void
  language plpgsql immutable
  set search_path = pg_catalog
as $$
begin
  if p_target is null or p_member_id is null or p_key is null then
    raise exception 'A class or slot, a member and a request key are all required.' using errcode = 'BD001';
  end if;
  if length(p_reason) > 500 then
    raise exception 'The override reason is too long: use at most 500 characters.' using errcode = 'BD001';
  end if;
end
$$;
revoke execute on function public.check_booking_input(uuid, uuid, uuid, text) from public, anon, authenticated;

-- Books a member into a class. A full class refuses (BD004, offering the waitlist) unless
-- p_join_waitlist (the member waits) or a permitted capacity override with a reason.
-- The same p_idempotency_key always returns the booking it first created.
create function public.book_class(
    p_class_id uuid, p_member_id uuid, p_idempotency_key uuid,
    p_staff_id uuid default null,
    p_override_capacity boolean default false,
    p_override_allowance boolean default false,
    p_override_reason text default null,
    p_join_waitlist boolean default false)
  returns public.class_bookings
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_class public.classes;
  v_actor record;
  v_booking public.class_bookings;
  v_status text := 'booked';
  v_capacity_override boolean := false;
  v_allowance_override boolean;
begin
  perform public.check_booking_input(p_class_id, p_member_id, p_idempotency_key, p_override_reason);
  select c.* into v_class from public.classes c where c.id = p_class_id for update;
  if not found then
    raise exception 'That class does not exist.' using errcode = 'BD002';
  end if;
  select * into v_actor from public.resolve_booking_actor(v_class.branch_id, p_member_id, p_staff_id);

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
     case when v_capacity_override or v_allowance_override then btrim(p_override_reason) end,
     case when v_capacity_override or v_allowance_override then v_actor.staff_id end,
     case when v_status = 'waitlisted' then clock_timestamp() end, v_actor.staff_id)
  returning * into v_booking;

  update public.classes
  set booked_count = booked_count + (v_status = 'booked')::integer,
      waitlist_count = waitlist_count + (v_status = 'waitlisted')::integer
  where id = p_class_id;
  return v_booking;
end
$$;

-- Books a member into a recovery slot: the same guarantees as book_class, without a waitlist.
create function public.book_benefit_slot(
    p_slot_id uuid, p_member_id uuid, p_idempotency_key uuid,
    p_staff_id uuid default null,
    p_override_capacity boolean default false,
    p_override_allowance boolean default false,
    p_override_reason text default null)
  returns public.benefit_bookings
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_slot public.benefit_slots;
  v_facility public.facilities;
  v_actor record;
  v_booking public.benefit_bookings;
  v_capacity_override boolean := false;
  v_allowance_override boolean;
begin
  perform public.check_booking_input(p_slot_id, p_member_id, p_idempotency_key, p_override_reason);
  select s.* into v_slot from public.benefit_slots s where s.id = p_slot_id for update;
  if not found then
    raise exception 'That slot does not exist.' using errcode = 'BD002';
  end if;
  select * into v_actor from public.resolve_booking_actor(v_slot.branch_id, p_member_id, p_staff_id);

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
     case when v_capacity_override or v_allowance_override then btrim(p_override_reason) end,
     case when v_capacity_override or v_allowance_override then v_actor.staff_id end,
     v_actor.staff_id)
  returning * into v_booking;

  update public.benefit_slots set booked_count = booked_count + 1 where id = p_slot_id;
  return v_booking;
end
$$;

-- Cancels a booked or waitlisted booking. p_kind is 'class' or 'recovery'. Members may cancel
-- their own until their plan's cancel window before the start; staff any time. A cancelled
-- class place goes to the first member on the waitlist. Returns the promoted booking's id.
create function public.cancel_booking(p_kind text, p_booking_id uuid, p_staff_id uuid default null)
  returns uuid
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
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

  if v_status not in ('booked', 'waitlisted') then
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
$$;

-- Check-in and no-show, by staff at a desk. Allowed: booked -> attended, booked -> no-show
-- (once the session has started), no-show -> attended (a late arrival).
create function public.set_booking_status(p_kind text, p_booking_id uuid, p_status text, p_staff_id uuid)
  returns void
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_branch uuid;
  v_member uuid;
  v_status text;
  v_starts timestamptz;
  v_actor record;
begin
  if p_kind is null or p_kind not in ('class', 'recovery') or p_booking_id is null
     or p_status is null or p_status not in ('attended', 'no_show') then
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
  if not ((v_status = 'booked' and p_status in ('attended', 'no_show'))
          or (v_status = 'no_show' and p_status = 'attended')) then
    raise exception 'A booking that is % cannot become %.', replace(v_status, '_', '-'), replace(p_status, '_', '-')
      using errcode = 'BD001';
  end if;
  if p_status = 'no_show' and now() < v_starts then
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
$$;

-- What a member's plan includes, used and remaining, in the periods containing p_at.
-- Desks may ask about any member (club-wide); a member only about themselves.
create function public.member_entitlements(p_member_id uuid, p_at timestamptz default now())
  returns table (kind text, period text, included boolean, allowance integer, used integer,
                 remaining integer, period_start timestamptz, period_end timestamptz)
  language plpgsql
  stable
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_home uuid;
begin
  if p_member_id is null then
    raise exception 'Say which member.' using errcode = 'BD001';
  end if;
  select m.home_branch_id into v_home from public.members m where m.id = p_member_id;
  if not found then
    raise exception 'That member does not exist.' using errcode = 'BD002';
  end if;
  if exists (select 1 from public.desk_roles d where d.role_name = session_user::text) then
    null; -- desks serve every member of the club
  elsif auth.uid() is not null then
    if not exists (select 1 from public.members m where m.id = p_member_id and m.user_id = auth.uid()) then
      raise exception 'Members can only see their own entitlements.' using errcode = 'BD003';
    end if;
  elsif not public.caller_may_use_branch(v_home) then
    raise exception 'This session may not read entitlements.' using errcode = 'BD003';
  end if;
  return query
  select k.kind, u.period, u.included, u.allowance, u.used,
         case when u.allowance is null then null else greatest(u.allowance - u.used, 0) end,
         u.period_start, u.period_end
  from unnest(array['recovery', 'class']) k(kind)
  cross join lateral public.entitlement_usage(p_member_id, k.kind, coalesce(p_at, now())) u;
end
$$;

revoke execute on function public.book_class(uuid, uuid, uuid, uuid, boolean, boolean, text, boolean) from public, anon;
revoke execute on function public.book_benefit_slot(uuid, uuid, uuid, uuid, boolean, boolean, text) from public, anon;
revoke execute on function public.cancel_booking(text, uuid, uuid) from public, anon;
revoke execute on function public.set_booking_status(text, uuid, text, uuid) from public, anon, authenticated;
revoke execute on function public.member_entitlements(uuid, timestamptz) from public, anon;
grant execute on function public.book_class(uuid, uuid, uuid, uuid, boolean, boolean, text, boolean),
                          public.book_benefit_slot(uuid, uuid, uuid, uuid, boolean, boolean, text),
                          public.cancel_booking(text, uuid, uuid),
                          public.member_entitlements(uuid, timestamptz)
  to authenticated, branch_desk, service_role;
grant execute on function public.set_booking_status(text, uuid, text, uuid) to branch_desk, service_role;
