-- Generated from a migrated database by core/tests/schema_snapshot.rs: do not edit.
-- The migrations in migrations/ are the source; this is what they add up to.

create table public._sqlx_migrations (
  version bigint not null,
  description text not null,
  installed_on timestamp with time zone default now() not null,
  success boolean not null,
  checksum bytea not null,
  execution_time bigint not null,
  constraint _sqlx_migrations_pkey PRIMARY KEY (version)
);
alter table public._sqlx_migrations enable row level security;
grant select (success), select (version) on public._sqlx_migrations to branch_desk;

create table public.benefit_bookings (
  id uuid default gen_random_uuid() not null,
  slot_id uuid not null,
  member_id uuid not null,
  branch_id uuid not null,
  starts_at timestamp with time zone not null,
  status text default 'booked'::text not null,
  idempotency_key uuid,
  booked_by_staff_id uuid,
  capacity_override boolean default false not null,
  allowance_override boolean default false not null,
  override_reason text,
  override_by_staff_id uuid,
  created_at timestamp with time zone default now() not null,
  status_changed_at timestamp with time zone default now() not null,
  status_changed_by_staff_id uuid,
  cancelled_at timestamp with time zone,
  cancelled_by text,
  checked_in_at timestamp with time zone,
  constraint benefit_bookings_cancelled_by CHECK ((cancelled_by = ANY (ARRAY['member'::text, 'staff'::text]))),
  constraint benefit_bookings_override_reason_length CHECK (((length(override_reason) >= 3) AND (length(override_reason) <= 500))),
  constraint benefit_bookings_override_recorded CHECK (((capacity_override OR allowance_override) = ((override_reason IS NOT NULL) AND (override_by_staff_id IS NOT NULL)))),
  constraint benefit_bookings_status CHECK ((status = ANY (ARRAY['booked'::text, 'cancelled'::text, 'attended'::text, 'no_show'::text]))),
  constraint benefit_bookings_booked_by_staff_id_fkey FOREIGN KEY (booked_by_staff_id) REFERENCES staff(id),
  constraint benefit_bookings_branch_id_fkey FOREIGN KEY (branch_id) REFERENCES branches(id),
  constraint benefit_bookings_member_id_fkey FOREIGN KEY (member_id) REFERENCES members(id),
  constraint benefit_bookings_override_by_staff_id_fkey FOREIGN KEY (override_by_staff_id) REFERENCES staff(id),
  constraint benefit_bookings_slot_id_fkey FOREIGN KEY (slot_id) REFERENCES benefit_slots(id),
  constraint benefit_bookings_status_changed_by_staff_id_fkey FOREIGN KEY (status_changed_by_staff_id) REFERENCES staff(id),
  constraint benefit_bookings_pkey PRIMARY KEY (id),
  constraint benefit_bookings_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX benefit_bookings_booked_by ON public.benefit_bookings USING btree (booked_by_staff_id, starts_at) WHERE (booked_by_staff_id IS NOT NULL);
CREATE INDEX benefit_bookings_branch_start ON public.benefit_bookings USING btree (branch_id, starts_at, id);
CREATE INDEX benefit_bookings_member ON public.benefit_bookings USING btree (member_id, starts_at);
CREATE INDEX benefit_bookings_slot ON public.benefit_bookings USING btree (slot_id);
CREATE INDEX benefit_bookings_start ON public.benefit_bookings USING btree (starts_at, id);
CREATE UNIQUE INDEX benefit_bookings_one_per_member ON public.benefit_bookings USING btree (slot_id, member_id) WHERE (status <> 'cancelled'::text);
alter table public.benefit_bookings enable row level security;
grant select on public.benefit_bookings to authenticated;
grant select on public.benefit_bookings to branch_desk;
grant delete, insert, select, update on public.benefit_bookings to service_role;

create table public.benefit_settings (
  facility_id uuid not null,
  open_time time without time zone not null,
  close_time time without time zone not null,
  slot_minutes integer not null,
  capacity integer not null,
  updated_at timestamp with time zone default now() not null,
  constraint benefit_settings_capacity CHECK (((capacity >= 1) AND (capacity <= 500))),
  constraint benefit_settings_open_before_close CHECK ((open_time < close_time)),
  constraint benefit_settings_slot_fits CHECK (((close_time - open_time) >= make_interval(mins => slot_minutes))),
  constraint benefit_settings_slot_minutes CHECK (((slot_minutes >= 5) AND (slot_minutes <= 480))),
  constraint benefit_settings_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES facilities(id),
  constraint benefit_settings_pkey PRIMARY KEY (facility_id)
);
alter table public.benefit_settings enable row level security;
grant select on public.benefit_settings to authenticated;
grant select on public.benefit_settings to branch_desk;
grant delete, insert, select, update on public.benefit_settings to service_role;

create table public.benefit_slot_days (
  branch_id uuid not null,
  local_date date not null,
  fingerprint text not null,
  made_at timestamp with time zone default now() not null,
  kept uuid[] default '{}'::uuid[] not null,
  constraint benefit_slot_days_branch_id_fkey FOREIGN KEY (branch_id) REFERENCES branches(id),
  constraint benefit_slot_days_pkey PRIMARY KEY (branch_id, local_date)
);
alter table public.benefit_slot_days enable row level security;
grant delete, insert, select, update on public.benefit_slot_days to service_role;

create table public.benefit_slots (
  id uuid default gen_random_uuid() not null,
  facility_id uuid not null,
  branch_id uuid not null,
  starts_at timestamp with time zone not null,
  ends_at timestamp with time zone not null,
  local_date date not null,
  local_start time without time zone not null,
  local_end time without time zone not null,
  capacity integer not null,
  booked_count integer default 0 not null,
  created_at timestamp with time zone default now() not null,
  constraint benefit_slots_booked_count CHECK ((booked_count >= 0)),
  constraint benefit_slots_capacity CHECK ((capacity > 0)),
  constraint benefit_slots_ends_after_start CHECK ((ends_at > starts_at)),
  constraint benefit_slots_facility_branch_fkey FOREIGN KEY (facility_id, branch_id) REFERENCES facilities(id, branch_id),
  constraint benefit_slots_pkey PRIMARY KEY (id),
  constraint benefit_slots_facility_start_key UNIQUE (facility_id, starts_at)
);
CREATE INDEX benefit_slots_branch_date ON public.benefit_slots USING btree (branch_id, local_date);
CREATE INDEX benefit_slots_facility_date ON public.benefit_slots USING btree (facility_id, local_date);
alter table public.benefit_slots enable row level security;
grant select on public.benefit_slots to authenticated;
grant select on public.benefit_slots to branch_desk;
grant delete, insert, select, update on public.benefit_slots to service_role;

create table public.booking_status_changes (
  from_status text not null,
  to_status text not null,
  once_started boolean default false not null,
  constraint booking_status_changes_from_status_fkey FOREIGN KEY (from_status) REFERENCES booking_statuses(status),
  constraint booking_status_changes_to_status_fkey FOREIGN KEY (to_status) REFERENCES booking_statuses(status),
  constraint booking_status_changes_pkey PRIMARY KEY (from_status, to_status)
);
alter table public.booking_status_changes enable row level security;
grant select on public.booking_status_changes to authenticated;
grant select on public.booking_status_changes to branch_desk;
grant delete, insert, select, update on public.booking_status_changes to service_role;

create table public.booking_statuses (
  status text not null,
  position smallint not null,
  classes_only boolean default false not null,
  constraint booking_statuses_pkey PRIMARY KEY (status),
  constraint booking_statuses_position_key UNIQUE ("position")
);
alter table public.booking_statuses enable row level security;
grant select on public.booking_statuses to authenticated;
grant select on public.booking_statuses to branch_desk;
grant delete, insert, select, update on public.booking_statuses to service_role;

create table public.branches (
  id uuid default gen_random_uuid() not null,
  code text not null,
  name text not null,
  timezone text not null,
  created_at timestamp with time zone default now() not null,
  date_order text,
  constraint branches_code_format CHECK ((code ~ '^[A-Z0-9-]{2,16}$'::text)),
  constraint branches_date_order CHECK ((date_order = ANY (ARRAY['dmy'::text, 'mdy'::text, 'ymd'::text]))),
  constraint branches_name_length CHECK (((length(name) >= 1) AND (length(name) <= 200))),
  constraint branches_timezone_iana CHECK (is_iana_time_zone(timezone)),
  constraint branches_pkey PRIMARY KEY (id),
  constraint branches_code_key UNIQUE (code)
);
alter table public.branches enable row level security;
grant select on public.branches to authenticated;
grant select on public.branches to branch_desk;
grant delete, insert, select, update on public.branches to service_role;

create table public.class_bookings (
  id uuid default gen_random_uuid() not null,
  class_id uuid not null,
  member_id uuid not null,
  branch_id uuid not null,
  starts_at timestamp with time zone not null,
  status text default 'booked'::text not null,
  idempotency_key uuid,
  booked_by_staff_id uuid,
  capacity_override boolean default false not null,
  allowance_override boolean default false not null,
  override_reason text,
  override_by_staff_id uuid,
  waitlisted_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  status_changed_at timestamp with time zone default now() not null,
  status_changed_by_staff_id uuid,
  cancelled_at timestamp with time zone,
  cancelled_by text,
  checked_in_at timestamp with time zone,
  constraint class_bookings_cancelled_by CHECK ((cancelled_by = ANY (ARRAY['member'::text, 'staff'::text]))),
  constraint class_bookings_override_reason_length CHECK (((length(override_reason) >= 3) AND (length(override_reason) <= 500))),
  constraint class_bookings_override_recorded CHECK (((capacity_override OR allowance_override) = ((override_reason IS NOT NULL) AND (override_by_staff_id IS NOT NULL)))),
  constraint class_bookings_status CHECK ((status = ANY (ARRAY['booked'::text, 'waitlisted'::text, 'cancelled'::text, 'attended'::text, 'no_show'::text]))),
  constraint class_bookings_booked_by_staff_id_fkey FOREIGN KEY (booked_by_staff_id) REFERENCES staff(id),
  constraint class_bookings_branch_id_fkey FOREIGN KEY (branch_id) REFERENCES branches(id),
  constraint class_bookings_class_id_fkey FOREIGN KEY (class_id) REFERENCES classes(id),
  constraint class_bookings_member_id_fkey FOREIGN KEY (member_id) REFERENCES members(id),
  constraint class_bookings_override_by_staff_id_fkey FOREIGN KEY (override_by_staff_id) REFERENCES staff(id),
  constraint class_bookings_status_changed_by_staff_id_fkey FOREIGN KEY (status_changed_by_staff_id) REFERENCES staff(id),
  constraint class_bookings_pkey PRIMARY KEY (id),
  constraint class_bookings_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX class_bookings_booked_by ON public.class_bookings USING btree (booked_by_staff_id, starts_at) WHERE (booked_by_staff_id IS NOT NULL);
CREATE INDEX class_bookings_branch_start ON public.class_bookings USING btree (branch_id, starts_at, id);
CREATE INDEX class_bookings_member ON public.class_bookings USING btree (member_id, starts_at);
CREATE INDEX class_bookings_start ON public.class_bookings USING btree (starts_at, id);
CREATE INDEX class_bookings_waitlist ON public.class_bookings USING btree (class_id, waitlisted_at) WHERE (status = 'waitlisted'::text);
CREATE UNIQUE INDEX class_bookings_one_per_member ON public.class_bookings USING btree (class_id, member_id) WHERE (status <> 'cancelled'::text);
alter table public.class_bookings enable row level security;
grant select on public.class_bookings to authenticated;
grant select on public.class_bookings to branch_desk;
grant delete, insert, select, update on public.class_bookings to service_role;

create table public.classes (
  id uuid default gen_random_uuid() not null,
  branch_id uuid not null,
  title text not null,
  instructor text,
  starts_at timestamp with time zone not null,
  ends_at timestamp with time zone not null,
  capacity integer not null,
  booked_count integer default 0 not null,
  waitlist_count integer default 0 not null,
  is_cancelled boolean default false not null,
  created_at timestamp with time zone default now() not null,
  constraint classes_booked_count CHECK ((booked_count >= 0)),
  constraint classes_capacity CHECK (((capacity >= 1) AND (capacity <= 1000))),
  constraint classes_ends_after_start CHECK ((ends_at > starts_at)),
  constraint classes_instructor_length CHECK ((length(instructor) <= 200)),
  constraint classes_title_length CHECK (((length(title) >= 1) AND (length(title) <= 200))),
  constraint classes_waitlist_count CHECK ((waitlist_count >= 0)),
  constraint classes_branch_id_fkey FOREIGN KEY (branch_id) REFERENCES branches(id),
  constraint classes_pkey PRIMARY KEY (id)
);
CREATE INDEX classes_branch_start ON public.classes USING btree (branch_id, starts_at);
alter table public.classes enable row level security;
grant select on public.classes to authenticated;
grant select on public.classes to branch_desk;
grant delete, insert, select, update on public.classes to service_role;

create table public.desk_keys (
  role_name text not null,
  key_sha256 bytea not null,
  changed_at timestamp with time zone default now() not null,
  constraint desk_keys_sha256_length CHECK ((length(key_sha256) = 32)),
  constraint desk_keys_role_name_fkey FOREIGN KEY (role_name) REFERENCES desk_roles(role_name) ON UPDATE CASCADE ON DELETE CASCADE,
  constraint desk_keys_pkey PRIMARY KEY (role_name)
);
alter table public.desk_keys enable row level security;
grant delete, insert, select, update on public.desk_keys to service_role;

create table public.desk_roles (
  role_name text not null,
  branch_id uuid,
  description text,
  created_at timestamp with time zone default now() not null,
  constraint desk_roles_description_length CHECK ((length(description) <= 500)),
  constraint desk_roles_role_name_length CHECK (((length(role_name) >= 1) AND (length(role_name) <= 63))),
  constraint desk_roles_branch_id_fkey FOREIGN KEY (branch_id) REFERENCES branches(id),
  constraint desk_roles_pkey PRIMARY KEY (role_name)
);
alter table public.desk_roles enable row level security;
grant select on public.desk_roles to branch_desk;
grant delete, insert, select, update on public.desk_roles to service_role;

create table public.facilities (
  id uuid default gen_random_uuid() not null,
  branch_id uuid not null,
  name text not null,
  kind text default 'other'::text not null,
  is_active boolean default true not null,
  under_maintenance boolean default false not null,
  available_days integer[] default '{1,2,3,4,5,6,7}'::integer[] not null,
  created_at timestamp with time zone default now() not null,
  constraint facilities_available_days_iso CHECK (((available_days <@ '{1,2,3,4,5,6,7}'::integer[]) AND (array_position(available_days, NULL::integer) IS NULL))),
  constraint facilities_kind CHECK ((kind = ANY (ARRAY['sauna'::text, 'cold_plunge'::text, 'steam_room'::text, 'infrared_sauna'::text, 'float_tank'::text, 'hot_tub'::text, 'other'::text]))),
  constraint facilities_name_length CHECK (((length(name) >= 1) AND (length(name) <= 200))),
  constraint facilities_branch_id_fkey FOREIGN KEY (branch_id) REFERENCES branches(id),
  constraint facilities_pkey PRIMARY KEY (id),
  constraint facilities_branch_id_name_key UNIQUE (branch_id, name),
  constraint facilities_id_branch_key UNIQUE (id, branch_id)
);
alter table public.facilities enable row level security;
grant select on public.facilities to authenticated;
grant select, update (is_active), update (under_maintenance) on public.facilities to branch_desk;
grant delete, insert, select, update on public.facilities to service_role;

create table public.member_name_words (
  word text not null,
  keys text[] not null,
  constraint member_name_words_pkey PRIMARY KEY (word)
);
CREATE INDEX member_name_words_keys ON public.member_name_words USING gin (keys);
CREATE INDEX member_name_words_prefix ON public.member_name_words USING btree (word text_pattern_ops);
alter table public.member_name_words enable row level security;
grant select on public.member_name_words to branch_desk;
grant delete, insert, select, update on public.member_name_words to service_role;

create table public.members (
  id uuid default gen_random_uuid() not null,
  user_id uuid,
  member_number text not null,
  first_name text not null,
  last_name text not null,
  email text,
  phone text,
  full_name text generated always as (((first_name || ' '::text) || last_name)) stored,
  phone_digits text generated always as (regexp_replace(COALESCE(phone, ''::text), '[^0-9]'::text, ''::text, 'g'::text)) stored,
  status text default 'active'::text not null,
  plan_id uuid,
  home_branch_id uuid not null,
  joined_on date default CURRENT_DATE not null,
  created_at timestamp with time zone default now() not null,
  name_search tsvector generated always as (array_to_tsvector(name_keys(first_name, last_name))) stored,
  member_number_key text generated always as (member_number_key(member_number)) stored,
  member_number_digits text generated always as (member_number_digits(member_number)) stored,
  constraint members_email_format CHECK (((length(email) <= 320) AND (email ~ '^[^@\s]+@[^@\s]+$'::text))),
  constraint members_first_name_length CHECK (((length(first_name) >= 1) AND (length(first_name) <= 100))),
  constraint members_last_name_length CHECK (((length(last_name) >= 1) AND (length(last_name) <= 100))),
  constraint members_member_number_format CHECK ((member_number ~ '^[A-Z0-9-]{1,20}$'::text)),
  constraint members_phone_length CHECK ((length(phone) <= 40)),
  constraint members_status CHECK ((status = ANY (ARRAY['active'::text, 'frozen'::text, 'cancelled'::text, 'pending'::text]))),
  constraint members_home_branch_id_fkey FOREIGN KEY (home_branch_id) REFERENCES branches(id),
  constraint members_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES membership_plans(id),
  constraint members_pkey PRIMARY KEY (id),
  constraint members_member_number_key UNIQUE (member_number),
  constraint members_user_id_key UNIQUE (user_id)
);
CREATE INDEX members_email_lower ON public.members USING btree (lower(email));
CREATE INDEX members_email_trgm ON public.members USING gin (lower(email) extensions.gin_trgm_ops);
CREATE INDEX members_home_branch ON public.members USING btree (home_branch_id);
CREATE INDEX members_member_number_digits ON public.members USING btree (member_number_digits);
CREATE INDEX members_member_number_folded ON public.members USING btree (member_number_key text_pattern_ops);
CREATE INDEX members_member_number_prefix ON public.members USING btree (member_number text_pattern_ops);
CREATE INDEX members_name_search ON public.members USING gin (name_search);
CREATE INDEX members_phone_digits_trgm ON public.members USING gin (phone_digits extensions.gin_trgm_ops);
CREATE INDEX members_phone_last4 ON public.members USING btree ("right"(phone_digits, 4));
CREATE INDEX members_phone_last9 ON public.members USING btree ("right"(phone_digits, 9));
alter table public.members enable row level security;
grant select on public.members to authenticated;
grant select on public.members to branch_desk;
grant delete, insert, select, update on public.members to service_role;

create table public.membership_plans (
  id uuid default gen_random_uuid() not null,
  code text not null,
  name text not null,
  cancel_window_minutes integer default 120 not null,
  is_active boolean default true not null,
  created_at timestamp with time zone default now() not null,
  constraint membership_plans_cancel_window CHECK (((cancel_window_minutes >= 0) AND (cancel_window_minutes <= 10080))),
  constraint membership_plans_code_format CHECK ((code ~ '^[A-Z0-9_-]{1,32}$'::text)),
  constraint membership_plans_name_length CHECK (((length(name) >= 1) AND (length(name) <= 200))),
  constraint membership_plans_pkey PRIMARY KEY (id),
  constraint membership_plans_code_key UNIQUE (code)
);
alter table public.membership_plans enable row level security;
grant select on public.membership_plans to authenticated;
grant select on public.membership_plans to branch_desk;
grant delete, insert, select, update on public.membership_plans to service_role;

create table public.plan_entitlements (
  plan_id uuid not null,
  kind text not null,
  period text not null,
  sessions_per_period integer,
  constraint plan_entitlements_kind CHECK ((kind = ANY (ARRAY['recovery'::text, 'class'::text]))),
  constraint plan_entitlements_period CHECK ((period = ANY (ARRAY['week'::text, 'month'::text]))),
  constraint plan_entitlements_sessions CHECK (((sessions_per_period >= 0) AND (sessions_per_period <= 1000))),
  constraint plan_entitlements_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES membership_plans(id),
  constraint plan_entitlements_pkey PRIMARY KEY (plan_id, kind)
);
alter table public.plan_entitlements enable row level security;
grant select on public.plan_entitlements to authenticated;
grant select on public.plan_entitlements to branch_desk;
grant delete, insert, select, update on public.plan_entitlements to service_role;

create table public.staff (
  id uuid default gen_random_uuid() not null,
  branch_id uuid,
  email text not null,
  full_name text not null,
  role text not null,
  can_override boolean,
  pin_hash text not null,
  failed_pin_attempts integer default 0 not null,
  locked_until timestamp with time zone,
  is_active boolean default true not null,
  created_at timestamp with time zone default now() not null,
  constraint staff_email_format CHECK (((length(email) <= 320) AND (email ~ '^[^@\s]+@[^@\s]+$'::text))),
  constraint staff_full_name_length CHECK (((length(full_name) >= 1) AND (length(full_name) <= 200))),
  constraint staff_pin_hash_argon2 CHECK ((pin_hash ~~ '$argon2%'::text)),
  constraint staff_role CHECK ((role = ANY (ARRAY['front_desk'::text, 'manager'::text]))),
  constraint staff_branch_id_fkey FOREIGN KEY (branch_id) REFERENCES branches(id),
  constraint staff_pkey PRIMARY KEY (id)
);
CREATE INDEX staff_branch ON public.staff USING btree (branch_id);
CREATE UNIQUE INDEX staff_email_key ON public.staff USING btree (lower(email));
alter table public.staff enable row level security;
grant select on public.staff to branch_desk;
grant delete, insert, select, update on public.staff to service_role;

-- Functions
grant execute on function book_benefit_slot(uuid,uuid,uuid,uuid,boolean,boolean,text) to authenticated, branch_desk, service_role;
grant execute on function book_class(uuid,uuid,uuid,uuid,boolean,boolean,text,boolean) to authenticated, branch_desk, service_role;
grant execute on function cancel_booking(text,uuid,uuid) to authenticated, branch_desk, service_role;
grant execute on function desk_branch_ids() to branch_desk, service_role;
grant execute on function desk_role_name() to branch_desk, service_role;
grant execute on function desk_sees_every_branch() to branch_desk, service_role;
grant execute on function ensure_facility_slots(uuid,date,date) to authenticated, branch_desk, service_role;
grant execute on function fold_name(text,boolean) to service_role;
grant execute on function fold_words(text) to service_role;
grant execute on function is_iana_time_zone(text) to service_role;
grant execute on function is_region_time_zone_name(text) to service_role;
grant execute on function member_entitlements(uuid,timestamp with time zone) to authenticated, branch_desk, service_role;
grant execute on function member_number_digits(text) to service_role;
grant execute on function member_number_key(text) to service_role;
grant execute on function name_keys(text,text) to service_role;
grant execute on function override_reason_max_length() to authenticated, branch_desk, service_role;
grant execute on function override_reason_min_length() to authenticated, branch_desk, service_role;
grant execute on function record_pin_attempt(uuid,boolean) to branch_desk, service_role;
grant execute on function search_members(text,integer) to branch_desk, service_role;
grant execute on function set_booking_status(text,uuid,text,uuid) to branch_desk, service_role;
