-- Why: member search was 59 % of PostgreSQL's time in the load test (issue 18). On a club of
-- 500 branches (100,000 members) a typed first name cost 11-15 ms at its p50 and 45-59 ms at
-- its p95 from the third letter on, and a first name with the first letter of the last name
-- ("olivia k") 20 ms and 97 ms: every member with a name word beginning with the letters was
-- fetched and scored ("olivia" is a word of 6,315 of them) to show twenty.
--
-- The pages are the ones that scoring every matching member gives; fewer members are fetched
-- and scored to make them.
--
--   * One typed word (what a desk sends while typing a first name): a member's score is the
--     best of its name words' scores, each a function of the word alone (the typed word itself
--     1.0, a longer word it begins 0.7 + 0.25 x typed/word length, a slip 0.55 + 0.1 x
--     similarity), and of its whole name's ('=' keys, 20261201000700).
--     search_member_word_hits scores the vocabulary's words, then takes their members a score
--     at a time, best first: a member whose best word has this score scores exactly that, so
--     only the best of them by the tie rules (this branch, active, by name) can be on the page,
--     and the rest are never scored. It stops when the page is full. A whole name scores above
--     its first word only when that word is shorter than the typed one ("jean" of "jeanlucp"
--     for Jean-Luc Picard): those members, and exact whole names, are fetched and scored one by
--     one. The path for one or two letters (20261201000700) was this idea by word length; it is
--     now this one, which also knows the other spelling and whole names.
--   * A name and an initial ("olivia k"): first asked among the members who have a word with
--     that letter, which is the page when they fill it (search_member_hits, below).
--
-- On that club, 200 typed first names (every start from 2 to 8 letters, 500 queries) and the
-- same names with the last name's first 1 to 6 letters (964 queries) got the same pages, and
-- took 4.5 times less time for one word of 3-5 letters, 2.4 times less for a name and an
-- initial (the rest as before).
-- core/tests/search_one_word.rs checks the pages against the search as it was.
--
-- One typed word is now found through the vocabulary (member_name_words) alone, as one or two
-- letters and slips were before: its triggers learn every word of every member written. Members
-- loaded with triggers off (session_replication_role = replica) are found by one word only once
-- the vocabulary is filled again (the insert in 20261201000700).

-- A desk or member transaction left open must not queue everyone behind this migration's locks.
set local lock_timeout = '10s';

-- One typed word (folded, p_spelt in the other spelling) as search_member_hits ranks it; ties
-- go to p_branch. Internal: search_members runs it with its owner's rights.
create function public.search_member_word_hits(p_word text, p_spelt text, p_branch uuid, p_limit integer)
  returns table (
    member_id uuid, member_number text, first_name text, last_name text, email text, phone text,
    status text, home_branch_id uuid, plan_id uuid, score real
  )
  language plpgsql stable
  set search_path = pg_catalog, public, extensions, pg_temp
  set jit = off
as $$
declare
  v_sw text := coalesce(p_spelt, p_word);
  v_whole text := '=' || p_word;
  -- Words one slip away: only for four letters or more.
  v_keys text[] := case when length(p_word) >= 4 then public.name_word_keys(p_word) end;
  v_slips text[];
  v_words text[];
  v_scores real[];
  v_level real;
  v_level_words tsquery;
  -- The members whose whole name may score above their words (scored one by one, below): an
  -- exact whole name, and whole names beginning with the typed word whose first word is shorter
  -- than it.
  v_whole_names tsquery;
  v_prefixes text;
  -- What the levels above took: their words, and their members best first.
  v_above tsquery;
  v_ids uuid[] := '{}';
  v_id_scores real[] := '{}';
  v_more uuid[];
begin
  if p_word is null or p_word = '' or p_limit is null or p_limit < 1 then
    return;
  end if;
  select coalesce(array_agg(v.word), '{}') into v_slips
  from public.member_name_words v
  where v_keys is not null and v.keys && v_keys and v.word <> p_word
    and not starts_with(v.word, p_word) and not starts_with(v.word, v_sw);
  -- The vocabulary's words the typed word stands for, each with the score it gives a member who
  -- has it (search_member_hits's word-by-word rule for one typed word). Every other word scores 0.
  select coalesce(array_agg(x.word), '{}'), coalesce(array_agg(x.s), '{}')
    into v_words, v_scores
  from (
    select v.word,
           (case when v.word in (p_word, v_sw) then 1.0
                 when starts_with(v.word, p_word) then 0.7 + 0.25 * length(p_word) / length(v.word)
                 when starts_with(v.word, v_sw) then 0.7 + 0.25 * length(v_sw) / length(v.word)
                 else 0.55 + 0.1 * similarity(v.word, p_word) end)::real as s
    from public.member_name_words v
    where v.word like p_word || '%' or v.word like v_sw || '%' or v.word = any (v_slips)
  ) x;

  v_whole_names := quote_literal(v_whole)::tsquery;
  select string_agg(quote_literal(v.word), ' | ') into v_prefixes
  from public.member_name_words v
  where v.word = any (array(select left(p_word, n) from generate_series(1, length(p_word) - 1) n));
  if v_prefixes is not null then
    v_whole_names := v_whole_names || ((quote_literal(v_whole) || ':*')::tsquery && v_prefixes::tsquery);
  end if;

  -- A score at a time, best first: every other member with a word of this score scores exactly
  -- that, so only the best of them by the tie rules can be on the page. Stop when the page is
  -- full.
  v_above := v_whole_names;
  for v_level in select distinct s from unnest(v_scores) s order by 1 desc loop
    exit when cardinality(v_ids) >= p_limit;
    v_level_words := (select string_agg(quote_literal(x.w), ' | ') from unnest(v_words, v_scores) x(w, s)
                      where x.s = v_level)::tsquery;
    v_more := array(
      select m.id from public.members m
      where m.name_search @@ v_level_words and not (m.name_search @@ v_above)
      order by (m.home_branch_id = p_branch) desc nulls last, (m.status = 'active') desc,
               m.last_name, m.first_name, m.member_number
      limit p_limit - cardinality(v_ids));
    v_ids := v_ids || v_more;
    v_id_scores := v_id_scores || array_fill(v_level, array[cardinality(v_more)]);
    v_above := v_above || v_level_words;
  end loop;

  return query
  with hits as (
    select m.*, x.s
    from unnest(v_ids, v_id_scores) x(id, s)
    join public.members m on m.id = x.id
    union all
    -- Its best word's score from the vocabulary's (above), or its whole name's.
    select m.*, greatest(
             (select max(x.s) from unnest(v_words, v_scores) x(w, s)
              where x.w = any (tsvector_to_array(m.name_search))),
             (select max(case when nw.word = v_whole then 1.1
                              else 0.7 + 0.25 * length(p_word) / (length(nw.word) - 1) end)
              from unnest(tsvector_to_array(m.name_search)) nw(word)
              where starts_with(nw.word, v_whole)))::real
    from public.members m
    where m.name_search @@ v_whole_names
  )
  select h.id, h.member_number, h.first_name, h.last_name, h.email, h.phone, h.status,
         h.home_branch_id, h.plan_id, h.s
  from hits h
  order by h.s desc, (h.home_branch_id = p_branch) desc nulls last, (h.status = 'active') desc,
           h.last_name, h.first_name, h.member_number
  limit p_limit;
end
$$;
revoke all on function public.search_member_word_hits(text, text, uuid, integer)
  from public, anon, authenticated, service_role, branch_desk;

-- search_member_hits (20261201000700) sends a single typed word there; the rest is unchanged.
create or replace function public.search_member_hits(p_query text, p_limit integer default 20)
  returns table (
    member_id uuid, member_number text, first_name text, last_name text, email text, phone text,
    status text, home_branch_id uuid, plan_id uuid, score real
  )
  language plpgsql stable
  set search_path = pg_catalog, public, extensions, pg_temp
  -- The planner guesses a thousand rows for every set here, and a long name's query then costs
  -- enough to be compiled to machine code (JIT) on every call: 40 ms for a five-word name.
  set jit = off
as $$
declare
  max_length constant integer := 200;
  -- More words than this are ignored (a name has fewer).
  max_words constant integer := 6;
  q text;
  q_like text;
  digits text;
  v_key text;
  v_branch uuid;
  typed text[] := '{}';
  spelt text[];
  v_initial boolean;
  v_ids uuid[];
  v_scores real[];
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception 'Show between 1 and 100 results.' using errcode = 'BD001';
  end if;
  if length(p_query) > max_length then
    raise exception 'Search text is too long: use at most % characters.', max_length using errcode = 'BD001';
  end if;
  q := btrim(regexp_replace(public.fold_name(coalesce(p_query, '')), E'[\\s\u00a0\u2000-\u200b\u3000]+', ' ', 'g'));
  if q = '' then
    return;
  end if;
  -- Folding can lengthen text (one "㌖" is six letters): the limit holds after it too.
  if octet_length(q) > 4 * max_length then
    raise exception 'Search text is too long: use at most % characters.', max_length using errcode = 'BD001';
  end if;
  -- The query is data, never pattern syntax: escape LIKE's metacharacters.
  q_like := replace(replace(replace(q, E'\\', E'\\\\'), '%', E'\\%'), '_', E'\\_');
  digits := regexp_replace(q, '[^0-9]', '', 'g');
  v_key := public.member_number_key(q);
  -- Ties go to this desk's branch (a head-office desk has none).
  select case when cardinality(b) = 1 then b[1] end into v_branch from (select public.desk_branch_ids() b) x;
  -- A name has no digits and no '@', and at least two characters that are not punctuation.
  if q !~ '[0-9@]' then
    typed := (public.fold_words(q))[1:max_words];
    if length(array_to_string(typed, '')) < 2 then
      typed := '{}';
    end if;
  end if;

  if cardinality(typed) = 0 then
    -- Member numbers, emails and phones.
    return query
    with candidates as (
      select m.id, 3.0::real as s from public.members m
      where v_key ~ '[0-9]' and m.member_number_key = v_key
      union all
      select m.id, 2.9 from public.members m
      where q ~ '^[# ]*[a-z]{0,4}[ #./-]*[0-9][0-9 ./-]*$' and length(digits) between 1 and 12
        and m.member_number_digits = ltrim(digits, '0')
      union all
      select m.id, 2.0 from public.members m
      where q ~ '^[# ]*[a-z]{1,4}[ #./-]*[0-9]{2,}$' and m.member_number_key like v_key || '%'
      union all
      select m.id, 3.0 from public.members m
      where position('@' in q) > 0 and lower(m.email) = q
      union all
      select m.id, 1.0 + similarity(lower(m.email), q) from public.members m
      where length(q) >= 3 and q !~ ' ' and (q ~ '[@._+-]' or length(q) >= 5) and q ~ '[a-z]'
        -- A whole email that someone has needs no fragments.
        and not (position('@' in q) > 0 and exists (select 1 from public.members x where lower(x.email) = q))
        and lower(m.email) like '%' || q_like || '%'
      union all
      -- The same phone, with or without country code or trunk 0: its last nine digits.
      select m.id, 3.0 from public.members m
      where length(digits) >= 9 and q ~ '^[0-9 ()+./-]+$' and right(m.phone_digits, 9) = right(digits, 9)
      union all
      select m.id, 1.8 from public.members m
      where length(digits) = 4 and q ~ '^[0-9 ()+./-]+$' and right(m.phone_digits, 4) = digits
      union all
      select m.id, case when m.phone_digits like '%' || digits then 1.8 else 1.4 end from public.members m
      where length(digits) between 5 and 8 and q ~ '^[0-9 ()+./-]+$' and m.phone_digits like '%' || digits || '%'
    ),
    best as (
      select c.id, max(c.s) as s from candidates c group by c.id
    )
    select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
           m.home_branch_id, m.plan_id, b.s::real
    from best b
    join public.members m on m.id = b.id
    order by b.s desc, (m.home_branch_id = v_branch) desc nulls last, (m.status = 'active') desc,
             m.last_name, m.first_name, m.member_number
    limit p_limit;
    return;
  end if;

  -- Each typed word in the other spelling too ("muller" for "mueller" is not a slip, but the
  -- member may be stored either way).
  spelt := (public.fold_words(public.fold_name(p_query, true)))[1:max_words];

  -- A single typed word: ranked over the members of its best-scoring name words, enough to fill
  -- the page (search_member_word_hits). Punctuation may make a word of 3 letters or more an
  -- email fragment ("jean-" or "ana.l" go below, as before; "al-" on the way to Al-Amin does not),
  -- and when no name has the word the search goes on below (an email fragment, a slip).
  if cardinality(typed) = 1 and (q !~ '[._+-]' or length(typed[1]) <= 2) then
    return query select * from public.search_member_word_hits(typed[1], spelt[1], v_branch, p_limit);
    if found then
      return;
    end if;
  end if;

  -- A name and the first letter of the next ("olivia k"): a one-letter word need not match
  -- (below), so every Olivia would be scored. Asked first among the members who also have a
  -- word with that letter: each of them scores above 0.5, and every other member at most 0.5
  -- (the mean of 1.0 and 0), so when they fill the page it is the page. Else asked again.
  v_initial := cardinality(typed) = 2 and length(typed[2]) = 1 and length(typed[1]) > 2;
  loop
    -- The tsquery: every typed word begins a name word (in either spelling, or is one slip
    -- from one); or two adjacent typed words, or all of them, are one run-together word.
    select coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.s), '{}') into v_ids, v_scores
    from (
    with typed_words as (
      select t.tw, coalesce(spelt[t.i], t.tw) as sw, t.i, public.name_word_keys(t.tw) as keys
      from unnest(typed) with ordinality t(tw, i)
    ),
    slips as (
      select t.i, v.word
      from typed_words t
      join public.member_name_words v on length(t.tw) >= 4 and v.keys && t.keys and v.word <> t.tw
    ),
    -- A typed word stands for the name words it begins, except a word of one or two letters
    -- before the last (de, da, le, al: particles, or names such as Ho and Li): that one is a
    -- whole word, since the desk has moved on from it.
    alternatives as (
      select t.i, '(' || quote_literal(t.tw) || t.prefix
               || case when t.sw <> t.tw then ' | ' || quote_literal(t.sw) || t.prefix else '' end
               || coalesce((select string_agg(' | ' || quote_literal(s.word), '') from slips s where s.i = t.i), '')
               || ')' as alt
      from (select t.*, case when length(t.tw) <= 2 and t.i < cardinality(typed) then '' else ':*' end as prefix
            from typed_words t) t
    ),
    -- What must match: every typed word (one-letter words, initials, only when nothing longer
    -- than two letters was typed: a lone "e" or "s" starts a tenth of all name words; or on the
    -- first try for a name and an initial, above), or the typed words run together as one word
    -- or as the whole name.
    every_word as (
      select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
      where m.name_search @@ (
        select ('(' || coalesce((select string_agg(a.alt, ' & ' order by a.i) from alternatives a
                                 join typed_words t on t.i = a.i
                                 where length(t.tw) > 1 or v_initial or not exists (select 1 from typed_words l where length(l.tw) > 2)), '')
                || ')' || case when cardinality(typed) > 1
                               then ' | ' || quote_literal(array_to_string(typed, '')) || ':*' else '' end
                || ' | ' || quote_literal('=' || array_to_string(typed, '')) || ':*')::tsquery)
    ),
    -- Else two adjacent typed words may be one word of the name ("jean luc" for Jeanluc).
    paired as (
      select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
      where not exists (select 1 from every_word) and cardinality(typed) between 2 and 4
        and m.name_search @@ (
          select string_agg('(' || g.q || ')', ' | ')::tsquery from (
            select string_agg(case when a.i = k then '(' || quote_literal(t1.tw || t2.tw) || ':*)'
                                   else a.alt end, ' & ' order by a.i) as q
            from generate_series(1, cardinality(typed) - 1) k
            join typed_words t1 on t1.i = k
            join typed_words t2 on t2.i = k + 1
            join alternatives a on a.i <> k + 1
            group by k) g)
    ),
    -- Else members who match some of the typed words.
    some_word as (
      select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
      where not exists (select 1 from every_word) and not exists (select 1 from paired)
        and m.name_search @@ (select string_agg(a.alt, ' | ')::tsquery from alternatives a)
    ),
    names as (
      select n.id, n.member_number, n.first_name, n.last_name, n.email, n.phone, n.status,
             n.home_branch_id, n.plan_id,
             -- An exact whole name needs no more scoring (common names have hundreds of those).
             case when x.whole >= 1.1 then 1.1 else (
               select greatest(x.whole, b.mean,
                 -- Two adjacent typed words as one run-together word, the others as they are:
                 -- asked only when a typed word matched no word of the name by itself ("jean luc"
                 -- for Jeanluc).
                 case when b.worst = 0 then (
                   select max(p.s) from (
                     select (2 * max(case when nw.word = t1.tw || t2.tw then 1.0
                                          when starts_with(nw.word, t1.tw || t2.tw)
                                            then 0.7 + 0.25 * length(t1.tw || t2.tw) / length(nw.word)
                                          else 0 end)
                             + coalesce((select sum(y.best) from (
                                  select max(case when w2.word in (t.tw, t.sw) then 1.0
                                                  when starts_with(w2.word, t.tw) then 0.7 + 0.25 * length(t.tw) / length(w2.word)
                                                  else 0 end) as best
                                  from typed_words t cross join unnest(tsvector_to_array(n.name_search)) w2(word)
                                  where t.i not in (t1.i, t2.i) and w2.word not like '=%'
                                  group by t.i) y), 0)) / cardinality(typed) as s
                     from typed_words t1
                     join typed_words t2 on t2.i = t1.i + 1
                     cross join unnest(tsvector_to_array(n.name_search)) nw(word)
                     group by t1.i, t2.i) p)
                 else 0 end)
               from (
                 -- Word by word: the mean of each typed word's best match, and the worst.
                 select avg(w.best) as mean, min(w.best) as worst from (
                   select max(case when nw.word in (t.tw, t.sw) then 1.0
                                   when starts_with(nw.word, t.tw) then 0.7 + 0.25 * length(t.tw) / length(nw.word)
                                   when starts_with(nw.word, t.sw) then 0.7 + 0.25 * length(t.sw) / length(nw.word)
                                   when exists (select 1 from slips s where s.i = t.i and s.word = nw.word)
                                     then 0.55 + 0.1 * similarity(nw.word, t.tw)
                                   else 0 end) as best
                   from typed_words t
                   cross join unnest(tsvector_to_array(n.name_search)) nw(word)
                   where nw.word not like '=%'
                   group by t.i) w) b)
             end::real as s
      from (select * from every_word union all select * from paired union all select * from some_word) n
      cross join lateral (
        -- The whole name, however spaced: exactly, or its start.
        select coalesce(max(case when nw.word = '=' || array_to_string(typed, '') then 1.1
                                 when starts_with(nw.word, '=' || array_to_string(typed, ''))
                                   then 0.7 + 0.25 * length(array_to_string(typed, '')) / (length(nw.word) - 1)
                                 else 0 end), 0) as whole
        from unnest(tsvector_to_array(n.name_search)) nw(word) where nw.word like '=%'
      ) x
    ),
    candidates as (
      select n.* from names n
      union all
      select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
             m.home_branch_id, m.plan_id, 3.0::real
      from public.members m
      where v_key ~ '[0-9]' and m.member_number_key = v_key
      union all
      -- A plain word of 5+ letters is an email fragment only when it is no one's name ("livsmith").
      select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
             m.home_branch_id, m.plan_id, (1.0 + similarity(lower(m.email), q))::real
      from public.members m
      where length(q) >= 3 and q !~ ' '
        and (q ~ '[._+-]' or (length(q) >= 5 and not exists (select 1 from names)))
        and lower(m.email) like '%' || q_like || '%'
    ),
    best as (
      select distinct on (c.id) c.* from candidates c order by c.id, c.s desc
    )
    select b.id, b.s
    from best b
    order by b.s desc, (b.home_branch_id = v_branch) desc nulls last, (b.status = 'active') desc,
             b.last_name, b.first_name, b.member_number
    limit p_limit
    ) r;
    exit when not v_initial or (cardinality(v_ids) = p_limit and (select min(x) from unnest(v_scores) x) > 0.5);
    v_initial := false;
  end loop;

  return query
  select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
         m.home_branch_id, m.plan_id, x.s
  from unnest(v_ids, v_scores) x(id, s)
  join public.members m on m.id = x.id
  order by x.s desc, (m.home_branch_id = v_branch) desc nulls last, (m.status = 'active') desc,
           m.last_name, m.first_name, m.member_number;
end
$$;
