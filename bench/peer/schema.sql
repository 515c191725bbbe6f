-- The peer's database: the generated benchmark graph as a PostgreSQL user
-- would lay it out for PostGraphile, with the indexes and the SQL functions
-- such a user writes for the four benchmark queries (bench/peer/README.md).
--
-- Tables hold exactly what the benchmark asks for; every query reads the
-- same values Oversight Graph answers with (bench.peer checks a sample).

create extension if not exists pg_trgm;

drop schema if exists peer cascade;
create schema peer;

-- Entities. `sort_name` is the name folded as Oversight Graph folds it
-- (case, accents and punctuation removed), the order of the entity lists;
-- "C" collation so that PostgreSQL sorts as Python compares strings.
create table peer.entities (
    key text collate "C" primary key,
    kind text not null,
    name text not null,
    sort_name text collate "C" not null,
    description text not null,
    aliases text[] not null default '{}',
    wikidata_id text
);
comment on table peer.entities is 'Every entity of the graph.';

-- Every name and alias, folded, for search: a trigram index answers
-- "some word of a name starts with this" without reading every name.
create table peer.entity_names (
    entity_key text collate "C" not null,
    position int not null,  -- 0 for the preferred name, then the aliases in order
    name text not null,
    folded text not null,
    primary key (entity_key, position)
);
comment on table peer.entity_names is 'Names and aliases, folded, for search.';

-- Relations, keyed as Oversight Graph keys them (subject|TYPE|object[|valid_from]).
create table peer.relations (
    key text collate "C" primary key,
    subject text collate "C" not null,
    type text not null,
    object text collate "C" not null,
    valid_from text,
    valid_to text
);
comment on table peer.relations is 'Typed, directed relations between two entities.';

-- Citations, in their own table, in the order the relation lists them.
create table peer.citations (
    relation_key text collate "C" not null,
    position int not null,
    document text collate "C" not null,
    paragraph int not null,
    claim text not null,
    confidence text not null,
    attribution_kind text not null,
    attribution_text text not null,
    source_count int,
    primary key (relation_key, position)
);
comment on table peer.citations is 'Where a relation comes from: a paragraph of a document.';

-- @load: the statements above run before the data is copied in, those below after.

-- Foreign keys, checked once the data is in.
alter table peer.entity_names add foreign key (entity_key) references peer.entities (key);
alter table peer.relations add foreign key (subject) references peer.entities (key);
alter table peer.relations add foreign key (object) references peer.entities (key);
alter table peer.citations add foreign key (relation_key) references peer.relations (key);
alter table peer.citations add foreign key (document) references peer.entities (key);

-- The list page: one kind in name order, keyset-paginated.
create index entities_kind_sort_name on peer.entities (kind, sort_name, key);
-- Search: which folded names have a word starting with the query word.
create index entity_names_folded_trgm on peer.entity_names using gin (folded gin_trgm_ops);

-- An entity's relations in key order, either way round.
create index relations_subject_key on peer.relations (subject, key);
create index relations_object_key on peer.relations (object, key);
-- The foreign key to the document, for deletes and joins from documents.
create index citations_document on peer.citations (document);

-- An entity's relations, both directions, in relation-key order: the
-- `relations` field of an entity (PostGraphile pages it with first/after).
create function peer.entities_relations(e peer.entities) returns setof peer.relations
language sql stable parallel safe as $$
    select r.* from (
        select * from peer.relations where subject = e.key
        union all
        select * from peer.relations where object = e.key and subject <> e.key
    ) r order by r.key
$$;
comment on function peer.entities_relations(peer.entities) is 'The relations of the entity, either direction, by key.';

-- Search: entities having a name or alias in which some word starts with
-- `q` (one word), scored as Oversight Graph scores (exact name, name
-- starting with the word, a whole word, a word prefix; a bonus for
-- covering more of the name and for the preferred name), best first.
create type peer.search_hit as (
    key text,
    score float8,
    matched text,
    name text,
    kind text
);

-- Scores are computed in double precision in the same order of operations
-- as Oversight Graph (so they are the same doubles), then rounded to four
-- decimals as Python rounds: from the exact binary value, halves to even.
-- Rounding the decimal approximation instead would put some ties the
-- other way and change the order of equal-looking hits.
create function peer.round4(x float8) returns float8
language sql immutable strict parallel safe as $$
    select case
        when abs(x * 10000 - floor(x * 10000) - 0.5) > 1e-6 then round(x::numeric, 4)::float8
        else (
            -- Near a half: compare the exact value, mantissa * 2^(exponent - 1075), with the half.
            select ((k + case
                when exact < half then 0
                when exact > half then 1
                else k::bigint % 2
            end) / 10000)::float8
            from (
                select k,
                       (bits & 4503599627370495 | 4503599627370496)::numeric * 20000 as exact,
                       (2 * k + 1) * power(2::numeric, 1075 - ((bits >> 52) & 2047)) as half
                from (
                    select floor(x * 10000)::numeric as k,
                           ('x' || encode(float8send(x), 'hex'))::bit(64)::bigint as bits
                ) parts
            ) compared
        )
    end
$$;

create function peer.search_entities(q text) returns setof peer.search_hit
language sql stable parallel safe as $$
    with word as (select lower(q) as w),
    scored as (
        select n.entity_key, n.position, n.name,
               peer.round4((case
                   when n.folded = word.w then 0.9::float8
                   when n.folded like word.w || ' %' then 0.75::float8
                   when ' ' || n.folded || ' ' like '% ' || word.w || ' %' then 0.6::float8
                   else 0.45::float8
               end
               + 0.09::float8 * (length(word.w)::float8 / greatest(length(n.folded), length(word.w))::float8))
               + case when n.position = 0 then 0.01::float8 else 0.0::float8 end) as score
        from peer.entity_names n, word
        where n.folded ~ ('(^| )' || word.w)
    ),
    best as (
        select distinct on (entity_key) entity_key, score, name
        from scored
        order by entity_key, score desc, position
    )
    select b.entity_key, b.score, b.name, e.name, e.kind
    from best b join peer.entities e on e.key = b.entity_key
    order by b.score desc, b.entity_key
$$;
comment on function peer.search_entities(text) is 'Entities whose names have a word starting with q, best first.';

-- The neighbourhood: entities within `depth` relations of `center`,
-- nearest first and by relation key within a ring, at most `cap` of them
-- (then `truncated`), and the relations among them by key.
create type peer.neighbor_entity as (key text, name text, kind text);
create type peer.neighbor_relation as (key text, type text);
create type peer.neighborhood_result as (
    truncated boolean,
    entities peer.neighbor_entity[],
    relations peer.neighbor_relation[]
);

create function peer.neighborhood(center text, depth int default 1, cap int default 500)
returns peer.neighborhood_result
language plpgsql stable parallel safe as $$
declare
    included text[] := array[center];
    ring text[] := array[center];
    found text[];
    room int;
    step int := 0;
    cut boolean := false;
    result peer.neighborhood_result;
begin
    if not exists (select 1 from peer.entities where key = center) then
        return null;
    end if;
    while step < depth and cardinality(ring) > 0 and not cut loop
        room := cap - cardinality(included);
        -- The ring's new entities in walk order: by position of the entity
        -- they were reached from, then by relation key; one more than fits,
        -- to know whether the cap cut the walk.
        select coalesce(array_agg(other order by first_seen), '{}') into found from (
            select other, min(seen) as first_seen from (
                select s.other, row_number() over (order by r.ord, s.key) as seen
                from unnest(ring) with ordinality as r(k, ord)
                cross join lateral (
                    select key, object as other from peer.relations where subject = r.k
                    union all
                    select key, subject from peer.relations where object = r.k
                ) s
            ) walked
            where other not in (select unnest(included))
            group by other
            order by first_seen
            limit room + 1
        ) fresh;
        if cardinality(found) > room then
            cut := true;
            found := found[1:room];
        end if;
        included := included || found;
        ring := found;
        step := step + 1;
    end loop;
    result.truncated := cut;
    select array_agg(row(e.key, e.name, e.kind)::peer.neighbor_entity order by i.ord)
        into result.entities
        from unnest(included) with ordinality as i(key, ord) join peer.entities e on e.key = i.key;
    select coalesce(array_agg(row(r.key, r.type)::peer.neighbor_relation order by r.key), '{}')
        into result.relations
        from (select unnest(included) as key) s
        join peer.relations r on r.subject = s.key
        join (select unnest(included) as key) o on r.object = o.key;
    return result;
end
$$;
comment on function peer.neighborhood(text, int, int) is 'Entities within depth relations of center (at most cap) and the relations among them.';
