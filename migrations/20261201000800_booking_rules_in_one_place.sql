-- Why: a booking's statuses, the changes staff may make to them, and the override reason's
-- length lived in the booking functions, in the core and again in the UI, and the copies had
-- drifted (the UI allowed 200 characters of reason, the database 500) (issue 17). They are data
-- here, in one place: the functions below read them, and the desks read them at connect
-- (`core/src/rules.rs`) to offer only what the database will take. The columns' CHECK
-- constraints stay as the storage's last line of defence; `core/tests/booking_rules.rs` proves
-- they say the same as these tables and functions.

create table public.booking_statuses (
  status text primary key,
  -- The order lists and filters show them in.
  position smallint not null unique,
  -- Only classes have a waitlist.
  classes_only boolean not null default false
);
insert into public.booking_statuses (status, position, classes_only) values
  ('booked', 1, false), ('waitlisted', 2, true), ('attended', 3, false), ('no_show', 4, false),
  ('cancelled', 5, false);

-- What staff may change a booking's status to. Cancelling is cancel_booking (which also frees
-- the place and promotes the waitlist); check-in and no-show are set_booking_status.
create table public.booking_status_changes (
  from_status text not null references public.booking_statuses,
  to_status text not null references public.booking_statuses,
  -- A no-show can be recorded only once the session has started.
  once_started boolean not null default false,
  primary key (from_status, to_status)
);
insert into public.booking_status_changes (from_status, to_status, once_started) values
  ('booked', 'attended', false),
  ('booked', 'no_show', true),
  ('no_show', 'attended', false), -- a late arrival
  ('booked', 'cancelled', false),
  ('waitlisted', 'cancelled', false);

alter table public.booking_statuses enable row level security;
alter table public.booking_status_changes enable row level security;
create policy booking_statuses_read on public.booking_statuses for select
  to branch_desk, authenticated using (true);
create policy booking_status_changes_read on public.booking_status_changes for select
  to branch_desk, authenticated using (true);
revoke all on table public.booking_statuses, public.booking_status_changes
  from public, anon, authenticated, service_role, branch_desk;
grant select on table public.booking_statuses, public.booking_status_changes
  to branch_desk, authenticated;
grant select, insert, update, delete on table public.booking_statuses, public.booking_status_changes
  to service_role;

-- An override reason: at least this many characters a person can see ...
create function public.override_reason_min_length() returns integer
  language sql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  return 3;
-- ... and at most this many, once trimmed.
create function public.override_reason_max_length() returns integer
  language sql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  return 500;
revoke all on function public.override_reason_min_length(), public.override_reason_max_length()
  from public, anon, authenticated, service_role, branch_desk;
grant execute on function public.override_reason_min_length(), public.override_reason_max_length()
  to authenticated, branch_desk, service_role;

create or replace function public.check_booking_input(p_target uuid, p_member_id uuid, p_key uuid, p_reason text,
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
  if length(public.trim_space(p_reason)) > public.override_reason_max_length() then
    raise exception 'The override reason is too long: use at most % characters.', public.override_reason_max_length()
      using errcode = 'BD001';
  end if;
end
$$;

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
  if coalesce(public.visible_length(p_reason), 0) < public.override_reason_min_length() then
    raise exception 'Give a reason for overriding the %.', p_what using errcode = 'BD001';
  end if;
end
$$;

-- Cancelling: allowed from the statuses booking_status_changes says.
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
$$;

-- Check-in and no-show, by staff at a desk: the changes booking_status_changes allows (cancelling
-- is cancel_booking's).
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
$$;
