-- Helpers of measure.sh (schema gen, beside the generator's): the timed psql scripts are written
-- by these functions, with the queries exactly as the desk sends them.
set client_min_messages = warning;

-- One timed desk transaction in a psql script: the session becomes the desk role (untimed), a
-- marker names the transaction and its statements, then every statement is timed by \timing.
create or replace function gen.tx(p_role text, p_label text, p_names text, p_stmts text[]) returns text
language sql immutable as $$
  select E'\\timing off\nreset session authorization;\n' || format('set session authorization %I;', p_role)
         || E'\n\\echo @@ ' || p_label || ' ' || p_names || E'\n\\timing on\n' || array_to_string(p_stmts, E'\n')
$$;

create or replace function gen.desk(p_idx int) returns text language sql immutable as
  $$ select 'growth_desk_b' || lpad(p_idx::text, 3, '0') $$;

-- The branch's local Monday of the week containing now() + p_weeks weeks.
create or replace function gen.week_start(p_tz text, p_weeks int) returns date language sql stable as
  $$ select date_trunc('week', (now() at time zone p_tz) + make_interval(weeks => p_weeks))::date $$;

-- core/src/slots.rs schedule(): ensure_slots, list_facilities, list_slots, in the desk's
-- transaction (db.rs DESK_TRANSACTION_START).
create or replace function gen.schedule_stmts(p_branch uuid, p_start date) returns text[] language sql immutable as $$
  select array[
    'begin;', 'set local enable_memoize = off;',
    format('select public.ensure_facility_slots(%L, %L, %L) as "inserted!";', p_branch, p_start, p_start + 6),
    format('select id, branch_id, name, kind, is_active, under_maintenance, available_days
         from facilities where branch_id = %L
         order by not is_active, name;', p_branch),
    format('select id, facility_id, starts_at, ends_at, local_date, local_start, local_end, capacity, booked_count
         from benefit_slots
         where branch_id = %L and local_date between %L and %L
         order by facility_id, starts_at;', p_branch, p_start, p_start + 6),
    'commit;']
$$;

-- core/src/bookings/list.rs push_bookings_select, one side, for a filter of branch, from, to and
-- a page (cursor, direction, limit); NULL page limit: no page (count_bookings).
create or replace function gen.bookings_side(p_kind text, p_branch uuid, p_from timestamptz, p_to timestamptz,
                                             p_after_at timestamptz, p_after_id uuid, p_desc boolean, p_limit int)
returns text language plpgsql immutable as $$
declare
  q text;
begin
  if p_kind = 'class' then
    q := 'select ''class''::text as kind, b.id, b.branch_id, b.starts_at, b.status, b.member_id,
                    m.member_number, m.full_name as member_name, c.title as item_name, c.id as item_id,
                    b.booked_by_staff_id, s.full_name as booked_by_name, b.capacity_override,
                    b.allowance_override, b.override_reason, b.created_at
             from class_bookings b
             join classes c on c.id = b.class_id
             join members m on m.id = b.member_id
             left join staff s on s.id = b.booked_by_staff_id
             where true';
  else
    q := 'select ''recovery''::text as kind, b.id, b.branch_id, b.starts_at, b.status, b.member_id,
                    m.member_number, m.full_name as member_name, fa.name as item_name, fa.id as item_id,
                    b.booked_by_staff_id, s.full_name as booked_by_name, b.capacity_override,
                    b.allowance_override, b.override_reason, b.created_at
             from benefit_bookings b
             join benefit_slots sl on sl.id = b.slot_id
             join facilities fa on fa.id = sl.facility_id
             join members m on m.id = b.member_id
             left join staff s on s.id = b.booked_by_staff_id
             where true';
  end if;
  if p_branch is not null then q := q || format(' and b.branch_id = %L', p_branch); end if;
  if p_from is not null then q := q || format(' and b.starts_at >= %L', p_from); end if;
  if p_to is not null then q := q || format(' and b.starts_at < %L', p_to); end if;
  if p_limit is null then return q; end if;
  if p_after_at is not null then
    q := q || format(' and (b.starts_at, b.id) %s (%L, %L)', case when p_desc then '<' else '>' end, p_after_at, p_after_id);
  end if;
  return q || format(' order by b.starts_at %1$s, b.id %1$s limit %2$s', case when p_desc then 'desc' else 'asc' end, p_limit + 1);
end
$$;

-- fetch_page: both sides, then the page.
create or replace function gen.bookings_page_sql(p_branch uuid, p_from timestamptz, p_to timestamptz,
                                                 p_after_at timestamptz, p_after_id uuid, p_desc boolean, p_limit int)
returns text language sql immutable as $$
  select 'select * from ((' || gen.bookings_side('class', p_branch, p_from, p_to, p_after_at, p_after_id, p_desc, p_limit)
         || ') union all (' || gen.bookings_side('recovery', p_branch, p_from, p_to, p_after_at, p_after_id, p_desc, p_limit)
         || format(')) x order by starts_at %1$s, id %1$s limit %2$s;', case when p_desc then 'desc' else 'asc' end, p_limit + 1)
$$;

-- count_bookings.
create or replace function gen.bookings_count_sql(p_branch uuid, p_from timestamptz, p_to timestamptz) returns text
language sql immutable as $$
  select 'select count(*) from ((' || gen.bookings_side('class', p_branch, p_from, p_to, null, null, false, null)
         || ') union all (' || gen.bookings_side('recovery', p_branch, p_from, p_to, null, null, false, null) || ')) x;'
$$;

-- A desk's All Bookings command: list_bookings in the desk transaction (no statuses: no check query).
create or replace function gen.bookings_stmts(p_sql text) returns text[] language sql immutable as
  $$ select array['begin;', 'set local enable_memoize = off;', p_sql, 'commit;'] $$;

-- Branch picks: the i-th draw of a run.
create or replace function gen.pick(p_salt text, i int) returns int language sql stable as
  $$ select 1 + (abs(hashtext(p_salt || i)) % (select branches from gen.params)) $$;
