-- Why: the front desk finds a member as they type: by name in any order and with typos, by
-- email, by phone digits in any formatting, or by member number, with the likely member first.
-- Desks only (search is club-wide: members visit any branch); members and anon cannot call it.
-- Invoker's rights: it reads `members` under the desk's own row-level security.
--
-- Each kind of match is a separate, index-backed candidate set (btree on member_number,
-- trigram GIN on full_name, lower(email) and phone_digits); the best score per member wins.
-- Scores: exact member number 3, exact email 2.5, member-number prefix 2, phone digits 1.5,
-- email fragment 1 + similarity, name: similarity or word similarity (0..1), nearest 50 each.

create index members_member_number_prefix on public.members (member_number text_pattern_ops);
-- Nearest-neighbour name search (ORDER BY distance LIMIT n) needs GiST; see below.
create index members_full_name_gist on public.members using gist (full_name gist_trgm_ops);

create function public.search_members(p_query text, p_limit integer default 20)
  returns table (
    member_id uuid, member_number text, first_name text, last_name text, email text, phone text,
    status text, home_branch_id uuid, plan_id uuid, score real
  )
  language plpgsql stable
  set search_path = pg_catalog, public, extensions
as $$
declare
  max_length constant integer := 200;
  q text;
  q_like text;
  digits text;
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception 'Show between 1 and 100 results.' using errcode = 'BD001';
  end if;
  if length(p_query) > max_length then
    raise exception 'Search text is too long: use at most % characters.', max_length using errcode = 'BD001';
  end if;
  q := lower(btrim(regexp_replace(coalesce(p_query, ''), '\s+', ' ', 'g')));
  if q = '' then
    return;
  end if;
  -- The query is data, never pattern syntax: escape LIKE's metacharacters.
  q_like := replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_');
  digits := ltrim(regexp_replace(q, '[^0-9]', '', 'g'), '0');

  return query
  with candidates as (
    select m.id, 3.0::real as s from public.members m
    where m.member_number = upper(q)
    union all
    select m.id, 2.0 from public.members m
    where q ~ '^[a-z]?[0-9]{2,}$' and m.member_number like upper(q_like) || '%'
    union all
    select m.id, 2.5 from public.members m
    where position('@' in q) > 0 and lower(m.email) = q
    union all
    select m.id, 1.0 + similarity(lower(m.email), q) from public.members m
    where length(q) >= 3 and q !~ ' ' and (position('@' in q) > 0 or position('.' in q) > 0 or length(q) >= 5)
      and lower(m.email) like '%' || q_like || '%'
    union all
    select m.id, 1.5 from public.members m
    where length(digits) >= 4 and q ~ '^[0-9 ()+.\-]+$' and m.phone_digits like '%' || digits || '%'
    union all
    -- Names: nearest neighbours by trigram distance from the GiST index, so a common name does
    -- not make the query score thousands of near matches. Whole-name similarity finds any word
    -- order and typos; word similarity finds a partial name ("smi", "olivia sm").
    select n.id, n.s from (
      select m.id, (1 - (m.full_name <-> q))::real as s from public.members m
      where length(regexp_replace(q, '[^[:alpha:]]', '', 'g')) >= 2
      order by m.full_name <-> q limit 50
    ) n where n.s >= 0.3
    union all
    select n.id, n.s from (
      select m.id, (1 - (q <<-> m.full_name))::real as s from public.members m
      where length(regexp_replace(q, '[^[:alpha:]]', '', 'g')) >= 2
      order by q <<-> m.full_name limit 50
    ) n where n.s >= 0.5
  ),
  best as (
    select c.id, max(c.s) as s from candidates c group by c.id
  )
  select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
         m.home_branch_id, m.plan_id, b.s::real
  from best b
  join public.members m on m.id = b.id
  order by b.s desc, (m.status = 'active') desc, m.last_name, m.first_name, m.member_number
  limit p_limit;
end
$$;
revoke execute on function public.search_members(text, integer) from public, anon, authenticated;
grant execute on function public.search_members(text, integer) to branch_desk, service_role;
