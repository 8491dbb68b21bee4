-- Why: the club's tables. Names the club database already uses are kept (see SPEC.md):
-- branches, members, staff, facilities, benefit_settings, benefit_slots, benefit_bookings,
-- classes, class_bookings. Everything else here is Branch Desk's own design:
--   desk_roles         which branch a desk's LOGIN role acts for (null branch = every branch)
--   membership_plans   what a member pays for, and plan_entitlements: what it includes
-- Rules that must hold under concurrency live in constraints here and in the functions of
-- later migrations, never only in a client. Nothing that records a booking is hard-deleted:
-- statuses and timestamps keep the history.

-- The group role every branch desk's LOGIN role is a member of. Policies address desks
-- through it and tell desks apart by `session_user` (see desk_roles).
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'branch_desk') then
    begin
      create role branch_desk nologin;
    exception when duplicate_object or unique_violation then
      null;
    end;
  end if;
end
$$;

-- True when `tz` is an IANA time zone name PostgreSQL knows (not a POSIX offset string).
create function public.is_iana_time_zone(tz text) returns boolean
  language sql stable
  set search_path = pg_catalog
as $$
  select exists (select 1 from pg_catalog.pg_timezone_names where name = tz)
$$;

create table public.branches (
  id uuid primary key default gen_random_uuid(),
  code text not null unique
    constraint branches_code_format check (code ~ '^[A-Z0-9-]{2,16}$'),
  name text not null
    constraint branches_name_length check (length(name) between 1 and 200),
  -- Slots are computed in this zone; see ensure_facility_slots.
  timezone text not null
    constraint branches_timezone_iana check (public.is_iana_time_zone(timezone)),
  created_at timestamptz not null default now()
);
comment on table public.branches is 'A club location. timezone is an IANA name, e.g. Europe/London.';

create table public.desk_roles (
  role_name text primary key
    constraint desk_roles_role_name_length check (length(role_name) between 1 and 63),
  -- null: a head-office manager desk that acts for every branch.
  branch_id uuid references public.branches (id),
  description text constraint desk_roles_description_length check (length(description) <= 500),
  created_at timestamptz not null default now()
);
comment on table public.desk_roles is
  'Maps a desk LOGIN role (a member of branch_desk) to the branch it serves; null branch_id = all branches.';

create table public.membership_plans (
  id uuid primary key default gen_random_uuid(),
  code text not null unique
    constraint membership_plans_code_format check (code ~ '^[A-Z0-9_-]{1,32}$'),
  name text not null constraint membership_plans_name_length check (length(name) between 1 and 200),
  -- Members may cancel their own booking up to this many minutes before it starts.
  cancel_window_minutes integer not null default 120
    constraint membership_plans_cancel_window check (cancel_window_minutes between 0 and 10080),
  is_active boolean not null default true,
  created_at timestamptz not null default now()
);

create table public.plan_entitlements (
  plan_id uuid not null references public.membership_plans (id),
  kind text not null constraint plan_entitlements_kind check (kind in ('recovery', 'class')),
  period text not null constraint plan_entitlements_period check (period in ('week', 'month')),
  -- null: unlimited. A plan with no row for a kind does not include it (allowance 0).
  sessions_per_period integer
    constraint plan_entitlements_sessions check (sessions_per_period between 0 and 1000),
  primary key (plan_id, kind)
);
comment on table public.plan_entitlements is
  'What a plan includes: sessions of a kind per ISO week or calendar month (branch local time); null = unlimited.';

create table public.members (
  id uuid primary key default gen_random_uuid(),
  -- The member's login in the members' app (Supabase auth.users.id); null until they sign up.
  user_id uuid unique,
  member_number text not null unique
    constraint members_member_number_format check (member_number ~ '^[A-Z0-9-]{1,20}$'),
  first_name text not null constraint members_first_name_length check (length(first_name) between 1 and 100),
  last_name text not null constraint members_last_name_length check (length(last_name) between 1 and 100),
  email text constraint members_email_format check (length(email) <= 320 and email ~ '^[^@\s]+@[^@\s]+$'),
  phone text constraint members_phone_length check (length(phone) <= 40),
  -- Search helpers, kept in step by PostgreSQL itself.
  full_name text generated always as (first_name || ' ' || last_name) stored,
  phone_digits text generated always as (regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) stored,
  status text not null default 'active'
    constraint members_status check (status in ('active', 'frozen', 'cancelled', 'pending')),
  plan_id uuid references public.membership_plans (id),
  home_branch_id uuid not null references public.branches (id),
  joined_on date not null default current_date,
  created_at timestamptz not null default now()
);
create index members_email_trgm on public.members using gin (lower(email) gin_trgm_ops);
create index members_phone_digits_trgm on public.members using gin (phone_digits gin_trgm_ops);
create index members_home_branch on public.members (home_branch_id);

create table public.staff (
  id uuid primary key default gen_random_uuid(),
  -- null: head-office staff, who may sign in at any desk.
  branch_id uuid references public.branches (id),
  email text not null constraint staff_email_format check (length(email) <= 320 and email ~ '^[^@\s]+@[^@\s]+$'),
  full_name text not null constraint staff_full_name_length check (length(full_name) between 1 and 200),
  role text not null constraint staff_role check (role in ('front_desk', 'manager')),
  -- null: the role's default (managers may override capacity and allowances, front desk may not).
  can_override boolean,
  -- argon2 PHC string computed by the app: PINs are never stored or compared in plain text.
  pin_hash text not null constraint staff_pin_hash_argon2 check (pin_hash like '$argon2%'),
  failed_pin_attempts integer not null default 0,
  locked_until timestamptz,
  is_active boolean not null default true,
  created_at timestamptz not null default now()
);
create unique index staff_email_key on public.staff (lower(email));
create index staff_branch on public.staff (branch_id);

create table public.facilities (
  id uuid primary key default gen_random_uuid(),
  branch_id uuid not null references public.branches (id),
  name text not null constraint facilities_name_length check (length(name) between 1 and 200),
  kind text not null default 'other'
    constraint facilities_kind check (kind in ('sauna', 'cold_plunge', 'steam_room', 'infrared_sauna', 'float_tank', 'hot_tub', 'other')),
  is_active boolean not null default true,
  under_maintenance boolean not null default false,
  -- ISO weekday numbers, 1 = Monday ... 7 = Sunday.
  available_days integer[] not null default '{1,2,3,4,5,6,7}'
    constraint facilities_available_days_iso
      check (available_days <@ '{1,2,3,4,5,6,7}'::integer[] and array_position(available_days, null) is null),
  created_at timestamptz not null default now(),
  unique (branch_id, name)
);

create table public.benefit_settings (
  facility_id uuid primary key references public.facilities (id),
  open_time time not null,
  close_time time not null,
  slot_minutes integer not null
    constraint benefit_settings_slot_minutes check (slot_minutes between 5 and 480),
  capacity integer not null
    constraint benefit_settings_capacity check (capacity between 1 and 500),
  updated_at timestamptz not null default now(),
  constraint benefit_settings_open_before_close check (open_time < close_time),
  constraint benefit_settings_slot_fits
    check (close_time - open_time >= make_interval(mins => slot_minutes))
);
comment on table public.benefit_settings is
  'Per-facility schedule. A facility without a row uses 06:00-22:00, 30-minute slots, capacity 4.';

create table public.benefit_slots (
  id uuid primary key default gen_random_uuid(),
  facility_id uuid not null references public.facilities (id),
  -- Copied from the facility so row-level security needs no join.
  branch_id uuid not null references public.branches (id),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  -- What staff read: the branch's local date and wall-clock times.
  local_date date not null,
  local_start time not null,
  local_end time not null,
  capacity integer not null constraint benefit_slots_capacity check (capacity > 0),
  -- Live bookings (booked, attended, no-show), kept by the booking functions under a row lock.
  booked_count integer not null default 0 constraint benefit_slots_booked_count check (booked_count >= 0),
  created_at timestamptz not null default now(),
  constraint benefit_slots_facility_start_key unique (facility_id, starts_at),
  constraint benefit_slots_ends_after_start check (ends_at > starts_at)
);
create index benefit_slots_branch_date on public.benefit_slots (branch_id, local_date);
create index benefit_slots_facility_date on public.benefit_slots (facility_id, local_date);

create table public.benefit_bookings (
  id uuid primary key default gen_random_uuid(),
  slot_id uuid not null references public.benefit_slots (id),
  member_id uuid not null references public.members (id),
  branch_id uuid not null references public.branches (id),
  -- The slot's start, copied for sorting and keyset paging of the bookings list.
  starts_at timestamptz not null,
  status text not null default 'booked'
    constraint benefit_bookings_status check (status in ('booked', 'cancelled', 'attended', 'no_show')),
  -- A retried confirm carries the same key and gets the same booking back.
  idempotency_key uuid constraint benefit_bookings_idempotency_key unique,
  booked_by_staff_id uuid references public.staff (id),
  capacity_override boolean not null default false,
  allowance_override boolean not null default false,
  override_reason text constraint benefit_bookings_override_reason_length check (length(override_reason) between 3 and 500),
  override_by_staff_id uuid references public.staff (id),
  created_at timestamptz not null default now(),
  status_changed_at timestamptz not null default now(),
  status_changed_by_staff_id uuid references public.staff (id),
  cancelled_at timestamptz,
  cancelled_by text constraint benefit_bookings_cancelled_by check (cancelled_by in ('member', 'staff')),
  checked_in_at timestamptz,
  constraint benefit_bookings_override_recorded check (
    (capacity_override or allowance_override) = (override_reason is not null and override_by_staff_id is not null)
  )
);
create unique index benefit_bookings_one_per_member
  on public.benefit_bookings (slot_id, member_id) where status <> 'cancelled';
create index benefit_bookings_branch_start on public.benefit_bookings (branch_id, starts_at, id);
create index benefit_bookings_member on public.benefit_bookings (member_id, starts_at);

create table public.classes (
  id uuid primary key default gen_random_uuid(),
  branch_id uuid not null references public.branches (id),
  title text not null constraint classes_title_length check (length(title) between 1 and 200),
  instructor text constraint classes_instructor_length check (length(instructor) <= 200),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  capacity integer not null constraint classes_capacity check (capacity between 1 and 1000),
  booked_count integer not null default 0 constraint classes_booked_count check (booked_count >= 0),
  waitlist_count integer not null default 0 constraint classes_waitlist_count check (waitlist_count >= 0),
  is_cancelled boolean not null default false,
  created_at timestamptz not null default now(),
  constraint classes_ends_after_start check (ends_at > starts_at)
);
create index classes_branch_start on public.classes (branch_id, starts_at);

create table public.class_bookings (
  id uuid primary key default gen_random_uuid(),
  class_id uuid not null references public.classes (id),
  member_id uuid not null references public.members (id),
  branch_id uuid not null references public.branches (id),
  starts_at timestamptz not null,
  status text not null default 'booked'
    constraint class_bookings_status check (status in ('booked', 'waitlisted', 'cancelled', 'attended', 'no_show')),
  idempotency_key uuid constraint class_bookings_idempotency_key unique,
  booked_by_staff_id uuid references public.staff (id),
  capacity_override boolean not null default false,
  allowance_override boolean not null default false,
  override_reason text constraint class_bookings_override_reason_length check (length(override_reason) between 3 and 500),
  override_by_staff_id uuid references public.staff (id),
  -- Waitlist order: the earliest waitlisted_at is promoted first.
  waitlisted_at timestamptz,
  created_at timestamptz not null default now(),
  status_changed_at timestamptz not null default now(),
  status_changed_by_staff_id uuid references public.staff (id),
  cancelled_at timestamptz,
  cancelled_by text constraint class_bookings_cancelled_by check (cancelled_by in ('member', 'staff')),
  checked_in_at timestamptz,
  constraint class_bookings_override_recorded check (
    (capacity_override or allowance_override) = (override_reason is not null and override_by_staff_id is not null)
  )
);
create unique index class_bookings_one_per_member
  on public.class_bookings (class_id, member_id) where status <> 'cancelled';
create index class_bookings_branch_start on public.class_bookings (branch_id, starts_at, id);
create index class_bookings_member on public.class_bookings (member_id, starts_at);
create index class_bookings_waitlist on public.class_bookings (class_id, waitlisted_at) where status = 'waitlisted';
