-- Why: the club database runs on Supabase, which already provides the roles `anon`,
-- `authenticated` and `service_role`, the schema `auth` and the function `auth.uid()`.
-- On vanilla PostgreSQL (tests, the embedded demo database, a self-hosted club database)
-- this migration creates exactly those, and only where they are missing, so every later
-- migration applies unchanged on both.
--
-- Roles are cluster-wide while migrations run per database (tests migrate many databases at
-- once), so each CREATE ROLE tolerates losing a race to a concurrent migration.

do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select from pg_catalog.pg_roles where rolname = r) then
      begin
        if r = 'service_role' then
          -- Supabase's service_role bypasses row-level security; mirror that.
          execute format('create role %I nologin noinherit bypassrls', r);
        else
          execute format('create role %I nologin noinherit', r);
        end if;
      exception when duplicate_object or unique_violation then
        null; -- created concurrently by another database's migration
      end;
    end if;
  end loop;
end
$$;

do $$
begin
  if not exists (select from pg_catalog.pg_namespace where nspname = 'auth') then
    create schema auth;
    grant usage on schema auth to anon, authenticated, service_role;
  end if;

  if not exists (
    select from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'uid'
  ) then
    -- Same contract as Supabase's auth.uid(): the `sub` claim of the request's JWT, or null.
    create function auth.uid() returns uuid
      language sql stable
      set search_path = pg_catalog
    as $f$
      select nullif(
        coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
        ),
        ''
      )::uuid
    $f$;
    grant execute on function auth.uid() to anon, authenticated, service_role;
  end if;
end
$$;

-- Trigram matching for member search (names with typos, email and phone fragments).
-- On Supabase it may already live in the `extensions` schema; functions that use it put
-- `extensions` on their pinned search_path.
create extension if not exists pg_trgm;
