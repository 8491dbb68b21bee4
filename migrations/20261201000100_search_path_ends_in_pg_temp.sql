-- Why: a desk's login (its password is on every branch PC) could run its own code with the
-- rights of the functions' owner, and so become a superuser (issue 20, item 1).
--
-- PostgreSQL looks for type and table names in the session's temporary schema *before* every
-- schema of the search_path unless the path names pg_temp itself. The helpers that the SECURITY
-- DEFINER functions call pinned `pg_catalog` or `pg_catalog, public`, so inside them a caller's
-- `create domain pg_temp.text ... check (pg_temp.f())` or `create temp view members ...` was
-- found first, and pg_temp.f() ran as the owner. Every function of the club's schemas now pins a
-- path that names only trusted schemas and ends in pg_temp, so the temporary schema is searched
-- last (functions and operators are never looked up there).
--
-- Bodies are unchanged here; later migrations that rewrite a function repeat the same pinned
-- path. The lint in core/tests/definer_lint.rs holds every function of `public` and `auth` to it.

alter function public.is_iana_time_zone(text) set search_path = pg_catalog, pg_temp;
alter function public.desk_branch_ids() set search_path = pg_catalog, public, pg_temp;
alter function public.caller_may_use_branch(uuid) set search_path = pg_catalog, public, pg_temp;
alter function public.facility_slot_plan(uuid, date, date) set search_path = pg_catalog, public, pg_temp;
alter function public.search_members(text, integer) set search_path = pg_catalog, public, extensions, pg_temp;
alter function public.resolve_booking_actor(uuid, uuid, uuid) set search_path = pg_catalog, public, pg_temp;
alter function public.check_override(boolean, boolean, text, text) set search_path = pg_catalog, pg_temp;
alter function public.entitlement_usage(uuid, text, timestamptz) set search_path = pg_catalog, public, pg_temp;
alter function public.check_allowance(uuid, text, timestamptz, boolean, boolean, boolean, text)
  set search_path = pg_catalog, public, pg_temp;
alter function public.check_member_may_book(uuid) set search_path = pg_catalog, public, pg_temp;
alter function public.check_booking_input(uuid, uuid, uuid, text) set search_path = pg_catalog, pg_temp;
alter function public.name_words(text) set search_path = pg_catalog, pg_temp;
alter function public.name_word_keys(text) set search_path = pg_catalog, pg_temp;
alter function public.member_name_words_learn() set search_path = pg_catalog, public, pg_temp;
alter function public.benefit_slot_days_forget() set search_path = pg_catalog, public, pg_temp;
alter function public.facility_slot_fingerprint(uuid) set search_path = pg_catalog, public, pg_temp;

-- auth.uid() is ours only on vanilla PostgreSQL (20261127000100 creates it where it is missing:
-- then it has the owner of the club's tables). Supabase's own pins no path at all, so it runs
-- with the pinned path of whichever function calls it; it is not ours to alter there.
do $$
begin
  if exists (
    select 1 from pg_catalog.pg_proc p
    where p.oid = 'auth.uid()'::pg_catalog.regprocedure
      and p.proowner = (select c.relowner from pg_catalog.pg_class c
                        where c.oid = 'public.branches'::pg_catalog.regclass)
  ) then
    alter function auth.uid() set search_path = pg_catalog, pg_temp;
  end if;
end
$$;
