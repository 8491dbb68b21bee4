-- Why: search as you type must answer in a few milliseconds at 200,000 members (issue 6, README
-- "Benchmarks"). The first search_members (20261127000500) ranked every query with letters by
-- trigram distance to every member's full name (two GiST nearest-neighbour scans): about 150 ms
-- at that size. Names are now matched word by word, through indexes:
--   * members.name_search: the member's name words as a tsvector with a GIN index, so "every
--     typed word is the start of one of the member's name words" is one index scan, in any
--     word order ("smith olivia", "olivia smi");
--   * member_name_words: the club's vocabulary of name words, each with its one-deletion keys
--     (the SymSpell method), so a typed word of 4+ letters also stands for the name words one
--     slip away: a letter missing, extra or wrong, or two letters swapped ("Smtih" -> "Smith").
-- If no member matches every typed word, members matching some of them are listed instead.
-- A name scores the mean, over the typed words, of its best-matching name word: 1 the same
-- word, 0.7-0.9 one slip away (closer by trigram similarity ranks higher), 0.5-0.9 the start
-- of the word (the more of it typed, the higher). Numbers, emails and phones score as before.

-- A name's words as matched: lower case, apostrophes dropped, split at spaces and punctuation.
-- Used for members' names and for what the desk types alike. (PL/pgSQL, here and below, keeps
-- its plan for the session; a SQL function with a pinned search_path is planned on every call.)
create function public.name_words(p_text text) returns text[]
  language plpgsql immutable parallel safe
  set search_path = pg_catalog
as $$
begin
  return (
    select coalesce(array_agg(distinct w order by w), '{}')
    from regexp_split_to_table(lower(translate(coalesce(p_text, ''), '''’`', '')), '[[:space:][:punct:]]+') w
    where w <> '');
end
$$;

-- A word and the word with any one letter removed (keys of 3+ letters only: a typed word of
-- 4+ letters has no shorter keys). Two words sharing a key are one slip apart.
create function public.name_word_keys(p_word text) returns text[]
  language plpgsql immutable parallel safe
  set search_path = pg_catalog
as $$
begin
  return (
    select coalesce(array_agg(distinct k), '{}')
    from (
      select p_word
      union all
      select overlay(p_word placing '' from i for 1) from generate_series(1, length(p_word)) i
    ) x(k)
    where length(k) >= 3);
end
$$;

alter table public.members
  add column name_search tsvector
    generated always as (array_to_tsvector(public.name_words(first_name || ' ' || last_name))) stored;
create index members_name_search on public.members using gin (name_search);
-- Only the old search used it.
drop index public.members_full_name_gist;

create table public.member_name_words (
  word text primary key,
  keys text[] not null
);
comment on table public.member_name_words is
  'Every word of members'' names (public.name_words), with its one-deletion keys, for typo-tolerant search. Kept by triggers on members; never pruned (a stale word matches no member).';
create index member_name_words_keys on public.member_name_words using gin (keys);

insert into public.member_name_words (word, keys)
select w, public.name_word_keys(w)
from (select distinct unnest(tsvector_to_array(m.name_search)) from public.members m) x(w);

-- Learns the words of new and renamed members. Definer's rights: whoever may write members
-- (an administrator, the club's other systems) need no rights on the vocabulary.
create function public.member_name_words_learn() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, public
as $$
begin
  insert into public.member_name_words (word, keys)
  select x.w, public.name_word_keys(x.w)
  from (select distinct unnest(tsvector_to_array(r.name_search)) from changed r) x(w)
  on conflict (word) do nothing;
  return null;
end
$$;
revoke execute on function public.member_name_words_learn() from public, anon, authenticated;
-- One statement-level trigger per event: a bulk import learns its words in one insert.
create trigger members_name_words_insert after insert on public.members
  referencing new table as changed for each statement execute function public.member_name_words_learn();
create trigger members_name_words_update after update on public.members
  referencing new table as changed for each statement execute function public.member_name_words_learn();

-- Who may read it: desks (search runs with the desk's rights). Members and anon may not.
alter table public.member_name_words enable row level security;
revoke all on table public.member_name_words from public, anon, authenticated;
grant select, insert, update, delete on table public.member_name_words to service_role;
grant select on table public.member_name_words to branch_desk;
create policy member_name_words_desk_select on public.member_name_words for select to branch_desk
  using (true);

-- Generating members.name_search runs name_words as whoever writes members.
revoke execute on function public.name_words(text) from public, anon, authenticated;
revoke execute on function public.name_word_keys(text) from public, anon, authenticated;
grant execute on function public.name_words(text), public.name_word_keys(text)
  to branch_desk, service_role;

create or replace function public.search_members(p_query text, p_limit integer default 20)
  returns table (
    member_id uuid, member_number text, first_name text, last_name text, email text, phone text,
    status text, home_branch_id uuid, plan_id uuid, score real
  )
  language plpgsql stable
  set search_path = pg_catalog, public, extensions
as $$
declare
  max_length constant integer := 200;
  -- More words than this are ignored (a name has fewer).
  max_words constant integer := 6;
  q text;
  q_like text;
  digits text;
  typed text[] := '{}';
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
  -- A name has no digits and no '@', and at least two letters.
  if q !~ '[0-9@]' and length(regexp_replace(q, '[^[:alpha:]]', '', 'g')) >= 2 then
    typed := (public.name_words(q))[1:max_words];
  end if;

  -- Two queries, names and the rest (each plans faster alone); both end in the same ranking:
  -- best score, active members first, then last name, first name, member number.
  if cardinality(typed) = 0 then
    -- Member numbers, emails and phone digits.
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
      where length(q) >= 3 and q !~ ' ' and (q ~ '[@._+0-9-]' or length(q) >= 5)
        and lower(m.email) like '%' || q_like || '%'
      union all
      select m.id, 1.5 from public.members m
      where length(digits) >= 4 and q ~ '^[0-9 ()+.\-]+$' and m.phone_digits like '%' || digits || '%'
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
    return;
  end if;

  -- Names, with a member number typed in letters, and email fragments for text that may be
  -- part of an address.
  return query
  with typed_words as (
    select t.tw, t.i, public.name_word_keys(t.tw) as keys from unnest(typed) with ordinality t(tw, i)
  ),
  slips as (
    select t.i, v.word
    from typed_words t
    join public.member_name_words v on length(t.tw) >= 4 and v.keys && t.keys and v.word <> t.tw
  ),
  -- Each typed word: the start of a name word, or a name word one slip away. Quoted lexemes
  -- are safe: name_words leaves no quote, backslash or other punctuation in a word.
  alternatives as (
    select t.i, '(''' || t.tw || ''':*' || coalesce((
             select string_agg(' | ''' || s.word || '''', '') from slips s where s.i = t.i
           ), '') || ')' as alt
    from typed_words t
  ),
  every_word as (
    select m.id, m.name_search from public.members m
    where m.name_search @@ (select string_agg(a.alt, ' & ')::tsquery from alternatives a)
  ),
  some_word as (
    select m.id, m.name_search from public.members m
    where not exists (select 1 from every_word)
      and m.name_search @@ (select string_agg(a.alt, ' | ')::tsquery from alternatives a)
  ),
  names as (
    select n.id, (
      select avg(b.best)::real from (
        select max(case when nw.word = t.tw then 1.0
                        when starts_with(nw.word, t.tw) then 0.5 + 0.4 * length(t.tw) / length(nw.word)
                        when exists (select 1 from slips s where s.i = t.i and s.word = nw.word)
                          then 0.7 + 0.2 * similarity(nw.word, t.tw)
                        else 0 end) as best
        from typed_words t
        cross join unnest(tsvector_to_array(n.name_search)) nw(word)
        group by t.i
      ) b
    ) as s
    from (select * from every_word union all select * from some_word) n
  ),
  candidates as (
    select n.id, n.s from names n
    union all
    select m.id, 3.0::real from public.members m
    where m.member_number = upper(q)
    union all
    -- A plain word of 5+ letters is an email fragment only when it is no one's name ("livsmith").
    select m.id, 1.0 + similarity(lower(m.email), q) from public.members m
    where length(q) >= 3 and q !~ ' '
      and (q ~ '[._+-]' or (length(q) >= 5 and not exists (select 1 from names)))
      and lower(m.email) like '%' || q_like || '%'
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
