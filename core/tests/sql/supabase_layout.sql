-- A Supabase project's roles, schemas and default privileges, as far as they bear on the club's
-- migrations, reproduced on vanilla PostgreSQL for the tests (core/tests/supabase.rs). Written
-- from supabase/postgres' init scripts and migrations (roles, privileges) and supabase/auth's
-- auth.uid(); their effects, not their text. Run as the cluster's superuser, which stands in
-- for Supabase's `supabase_admin`; `supabase_postgres` stands in for Supabase's `postgres`
-- (which on Supabase is not a superuser), since this cluster's `postgres` is its superuser.
-- Roles belong to the cluster, so they are made only where missing.

do $$
declare
  r text[];
begin
  -- (name, attributes); Supabase makes anon, authenticated and service_role INHERIT, vanilla
  -- migrations NOINHERIT. Neither is a member of anything here, so it makes no difference.
  foreach r slice 1 in array array[
    ['supabase_postgres', 'login inherit nosuperuser createdb createrole replication bypassrls'],
    ['authenticator', 'login noinherit'],
    ['supabase_auth_admin', 'login noinherit createrole noreplication'],
    ['anon', 'nologin inherit'],
    ['authenticated', 'nologin inherit'],
    ['service_role', 'nologin inherit bypassrls']] loop
    if not exists (select from pg_roles where rolname = r[1]) then
      begin
        execute format('create role %I %s', r[1], r[2]);
      exception when duplicate_object or unique_violation then
        null; -- made at the same moment by another test's layout
      end;
    end if;
  end loop;
end
$$;
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role, supabase_auth_admin to supabase_postgres;
alter role supabase_postgres set search_path = "$user", public, extensions;
alter role supabase_auth_admin set search_path = auth;

-- The database belongs to Supabase's postgres, so it creates in public as its owner.
do $$
begin
  execute format('alter database %I owner to supabase_postgres', current_database());
  execute format('grant all on database %I to supabase_postgres', current_database());
end
$$;
grant usage on schema public to supabase_postgres, anon, authenticated, service_role;

-- Whatever Supabase's postgres (or its administrator) creates in public is granted to the API's
-- roles.
alter default privileges for role supabase_postgres in schema public
  grant all on tables to supabase_postgres, anon, authenticated, service_role;
alter default privileges for role supabase_postgres in schema public
  grant all on functions to supabase_postgres, anon, authenticated, service_role;
alter default privileges for role supabase_postgres in schema public
  grant all on sequences to supabase_postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on tables to supabase_postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to supabase_postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to supabase_postgres, anon, authenticated, service_role;

create schema extensions authorization supabase_postgres;
grant usage on schema extensions to anon, authenticated, service_role;
alter default privileges for role postgres in schema extensions
  grant all on tables to supabase_postgres with grant option;
alter default privileges for role postgres in schema extensions
  grant all on routines to supabase_postgres with grant option;
alter default privileges for role postgres in schema extensions
  grant all on sequences to supabase_postgres with grant option;

create schema auth authorization postgres;
grant usage on schema auth to anon, authenticated, service_role;
grant all on schema auth to supabase_auth_admin, supabase_postgres;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on tables to supabase_postgres;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on routines to supabase_postgres;

-- Supabase's auth functions: SQL, no pinned search_path, owned by its auth service.
set role supabase_auth_admin;
create function auth.uid() returns uuid language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
$$;
create function auth.role() returns text language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
$$;
create function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                  nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$;
reset role;
