-- Why: the booking functions held their rules only for callers that behaved (issue 20, items 4
-- and 6).
--   * Isolation: a member on "2 recovery sessions a week" with one used. Session A began a
--     REPEATABLE READ transaction and read anything; session B booked and committed; A then
--     booked too, counting from its old snapshot: 3 of 2, no override recorded. A function
--     cannot take a fresh snapshot inside its caller's REPEATABLE READ or SERIALIZABLE
--     transaction, so booking, cancelling and check-in refuse such a transaction in words, up
--     front (before any row lock could fail with a raw 40001). READ COMMITTED, PostgreSQL's and
--     Supabase's default, is what every client uses.
--   * A NULL override or waitlist flag acted as "yes" in one place and "no" in another; NULL
--     flags are now refused in words.
--   * Override reasons of tabs, newlines or no-break spaces passed the three-character rule:
--     reasons are trimmed of all white space, Unicode's included (trim_space), before they are
--     checked and stored.
--   * A slot kept because it has bookings (ensure_facility_slots never removes those) kept its
--     old length and capacity and went on taking bookings after the facility's settings
--     changed. A slot now takes new bookings only while the configuration still makes it
--     (facility_slot_plan, the one rule); otherwise the refusal says why and what to do.

-- p_text without white space at either end: every Unicode White_Space character, and the
-- invisible ones people paste (zero-width space and joiners, word joiner, byte-order mark).
-- E'' strings read the same whatever a session's standard_conforming_strings says.
create function public.trim_space(p_text text) returns text
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
begin
  return regexp_replace(p_text,
    E'^[\\s\u0085\u00a0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+|[\\s\u0085\u00a0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+$',
    '', 'g');
end
$$;

-- How many characters of p_text a person sees: white space and the invisible format
-- characters (soft hyphen, direction marks, zero-width and word joiners, invisible operators,
-- byte-order mark) not counted.
create function public.visible_length(p_text text) returns integer
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
begin
  return length(regexp_replace(p_text,
    E'[\\s\u0085\u00a0\u00ad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u206a-\u206f\u3000\ufeff]',
    '', 'g'));
end
$$;

-- Refuses a caller's REPEATABLE READ or SERIALIZABLE transaction (see the top of this file).
create function public.check_read_committed(p_what text) returns void
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
begin
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception '% in READ COMMITTED transactions, the database''s default; this transaction is %. Do it in a new transaction.',
      p_what, upper(current_setting('transaction_isolation'))
      using errcode = 'BD001';
  end if;
end
$$;

-- Everything a booking call must say, checked before anything is read or locked.
drop function public.check_booking_input(uuid, uuid, uuid, text);
create function public.check_booking_input(p_target uuid, p_member_id uuid, p_key uuid, p_reason text,
    p_override_capacity boolean, p_override_allowance boolean, p_join_waitlist boolean)
  returns void
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  perform public.check_read_committed('Bookings are made');
  perform public.check_fresh_transaction('Bookings are made');
  if p_target is null or p_member_id is null or p_key is null then
    raise exception 'A class or slot, a member and a request key are all required.' using errcode = 'BD001';
  end if;
  if p_override_capacity is null or p_override_allowance is null or p_join_waitlist is null then
    raise exception 'Override and waitlist choices are true or false, never NULL.' using errcode = 'BD001';
  end if;
  if length(public.trim_space(p_reason)) > 500 then
    raise exception 'The override reason is too long: use at most 500 characters.' using errcode = 'BD001';
  end if;
end
$$;

-- Refuses an override that the actor may not make or that lacks a reason (three or more
-- characters a person can see).
create or replace function public.check_override(p_is_staff boolean, p_can_override boolean, p_reason text, p_what text)
  returns void
  language plpgsql immutable
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if not p_is_staff then
    raise exception 'Only staff at a desk can override the %.', p_what using errcode = 'BD003';
  end if;
  if not p_can_override then
    raise exception 'Overriding the % needs a manager or the override permission.', p_what using errcode = 'BD003';
  end if;
  if coalesce(public.visible_length(p_reason), 0) < 3 then
    raise exception 'Give a reason for overriding the %.', p_what using errcode = 'BD001';
  end if;
end
$$;

-- Books a member into a class. A full class refuses (BD004, offering the waitlist) unless
-- p_join_waitlist (the member waits) or a permitted capacity override with a reason.
-- The same p_idempotency_key always returns the booking it first created.
create or replace function public.book_class(
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
  set lock_timeout = '3s'
as $$
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
$$;

-- Books a member into a recovery slot: the same guarantees as book_class, without a waitlist,
-- and only into a slot that the facility's configuration still makes.
create or replace function public.book_benefit_slot(
    p_slot_id uuid, p_member_id uuid, p_idempotency_key uuid,
    p_staff_id uuid default null,
    p_override_capacity boolean default false,
    p_override_allowance boolean default false,
    p_override_reason text default null)
  returns public.benefit_bookings
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
  set lock_timeout = '3s'
as $$
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
$$;

-- Cancels a booked or waitlisted booking. p_kind is 'class' or 'recovery'. Members may cancel
-- their own until their plan's cancel window before the start; staff any time. A cancelled
-- class place goes to the first member on the waitlist. Returns the promoted booking's id.
create or replace function public.cancel_booking(p_kind text, p_booking_id uuid, p_staff_id uuid default null)
  returns uuid
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
  set lock_timeout = '3s'
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
create or replace function public.set_booking_status(p_kind text, p_booking_id uuid, p_status text, p_staff_id uuid)
  returns void
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
  set lock_timeout = '3s'
as $$
declare
  v_branch uuid;
  v_member uuid;
  v_status text;
  v_starts timestamptz;
  v_actor record;
begin
  perform public.check_read_committed('Check-ins and no-shows are recorded');
  perform public.check_fresh_transaction('Check-ins and no-shows are recorded');
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

revoke execute on function public.trim_space(text), public.visible_length(text), public.check_read_committed(text),
  public.check_booking_input(uuid, uuid, uuid, text, boolean, boolean, boolean)
  from public, anon, authenticated, branch_desk, service_role;
