"""search: article_search, FTS5 (SQLite) / tsvector + GIN (PostgreSQL), sync triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00

Everything search reads is derived from `articles` by triggers, so the code that stores
articles needs to know nothing about it:

- `article_search` (both dialects): one row per live article with its source, language
  (primary subtag) and date (published, never later than discovered).
- SQLite: `article_fts`, an FTS5 table (rowid = article id; columns title, body, author, tag,
  url, and src: the token `s<source id>`, so that a search for a few sources is a join of
  posting lists inside FTS5; tokenizer `unicode61 remove_diacritics 2`) whose external
  content is the view
  `article_fts_source`, which spells out the letters FTS5 does not fold (`SPELLED`, equal to
  `mimir.search.tokens.SQLITE_SPELLED`, a test checks) so that FTS5 cuts the same words as
  Mimir's tokenizer. Triggers feed it from the view (FTS5's own 'rebuild' trips over the
  view's JSON sub-selects: rebuild with 'delete-all' and an INSERT ... SELECT from the view).
- PostgreSQL: `unaccent`; `article_search.terms` (title weight A, text B, and two marks no
  word can be: `_src<source id>` and `_d<YYYYMMDD>`, the day of its date) and `.meta` (authors
  A, tags B, URL C), `simple` configuration over `mimir_search_words(...)` (NFC, unaccent,
  NFKC, unaccent, lower case, every non-alphanumeric run a space, the order of Mimir's
  tokenizer), GIN-indexed, for exact word matching; and
  `.rank_terms`, title and lead in the configuration of the article's language (english,
  french, ... `simple` otherwise), for ranking only.
"""

# ruff: noqa: RUF001  (letters of other alphabets are the point here)

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mimir.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: characters of each field that are indexed (mimir.search.tokens.MAX_FIELD_CHARS)
MAX_FIELD_CHARS = 200_000
#: characters of the text that go into the ranking vector (with the title)
LEAD_CHARS = 1000

#: letters FTS5 does not fold the way Mimir's tokenizer does (mimir.search.tokens.SQLITE_SPELLED)
SPELLED: tuple[tuple[str, str], ...] = (
    ("ß", "ss"),
    ("ẞ", "ss"),
    ("æ", "ae"),
    ("Æ", "ae"),
    ("ø", "o"),
    ("Ø", "o"),
    ("œ", "oe"),
    ("Œ", "oe"),
    ("ł", "l"),
    ("Ł", "l"),
    ("ŀ", "l"),
    ("Ŀ", "l"),
    ("đ", "d"),
    ("Đ", "d"),
    ("ð", "d"),
    ("Ð", "d"),
    ("þ", "th"),
    ("Þ", "th"),
    ("ħ", "h"),
    ("Ħ", "h"),
    ("ı", "i"),
    ("ĳ", "ij"),
    ("Ĳ", "ij"),
    ("ŋ", "n"),
    ("Ŋ", "n"),
    ("ŧ", "t"),
    ("Ŧ", "t"),
    ("ά", "α"),
    ("Ά", "α"),
    ("έ", "ε"),
    ("Έ", "ε"),
    ("ή", "η"),
    ("Ή", "η"),
    ("ί", "ι"),
    ("Ί", "ι"),
    ("ό", "ο"),
    ("Ό", "ο"),
    ("ύ", "υ"),
    ("Ύ", "υ"),
    ("ώ", "ω"),
    ("Ώ", "ω"),
    ("ϊ", "ι"),
    ("Ϊ", "ι"),
    ("ϋ", "υ"),
    ("Ϋ", "υ"),
    ("ΐ", "ι"),
    ("ΰ", "υ"),
    ("ё", "е"),
    ("Ё", "е"),
)

#: ISO 639-1 code -> PostgreSQL text-search configuration (used when the server has it)
PG_CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}

WORD_COLUMNS = ("title", "text", "authors", "tags", "canonical_url")
ROW_COLUMNS = ("source_id", "language", "published_at", "discovered_at")


def upgrade() -> None:
    op.create_table(
        "article_search",
        sa.Column(
            "article_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("source_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("language", sa.String(length=16), server_default="", nullable=False),
        sa.Column("sort_at", mimir.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_search_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_search")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()
    with op.batch_alter_table("article_search", schema=None) as batch_op:
        batch_op.create_index("ix_article_search_sort", ["sort_at", "article_id"], unique=False)
        batch_op.create_index(
            "ix_article_search_source_sort", ["source_id", "sort_at"], unique=False
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS article_search_sync ON articles")
        op.execute("DROP FUNCTION IF EXISTS mimir_article_search_sync()")
        op.execute("DROP FUNCTION IF EXISTS mimir_article_search_row(articles)")
        op.execute("DROP FUNCTION IF EXISTS mimir_search_config(text)")
        op.execute("DROP FUNCTION IF EXISTS mimir_search_marks(bigint, timestamptz)")
        op.execute('DROP FUNCTION IF EXISTS mimir_search_vector(text, "char")')
        op.execute("DROP FUNCTION IF EXISTS mimir_search_list(jsonb)")
        op.execute("DROP FUNCTION IF EXISTS mimir_search_language(text)")
        op.execute("DROP FUNCTION IF EXISTS mimir_search_words(text)")
    else:
        for name in ("insert", "delete", "unindex", "reindex", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS article_search_{name}")
        op.execute("DROP TABLE IF EXISTS article_fts")
        op.execute("DROP VIEW IF EXISTS article_fts_source")
    with op.batch_alter_table("article_search", schema=None) as batch_op:
        batch_op.drop_index("ix_article_search_source_sort")
        batch_op.drop_index("ix_article_search_sort")
    op.drop_table("article_search")


# ---- SQLite -----------------------------------------------------------------------------------


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fold(expr: str) -> str:
    """`expr` cut to MAX_FIELD_CHARS with the SPELLED letters replaced.

    SQLite's parser allows only about 25 nested calls, fewer than SPELLED has pairs, so the
    replacements run as a recursive query over the pairs; only values that hold one of the
    letters (one GLOB pass) take that path.
    """
    cut = f"substr({expr}, 1, {MAX_FIELD_CHARS})"
    letters = "".join(char for char, _ in SPELLED)
    source = " ".join(f"WHEN {i} THEN {_sql_string(c)}" for i, (c, _) in enumerate(SPELLED))
    target = " ".join(f"WHEN {i} THEN {_sql_string(t)}" for i, (_, t) in enumerate(SPELLED))
    return (
        f"CASE WHEN {expr} GLOB '*[{letters}]*' THEN (WITH RECURSIVE f(i, v) AS ("
        f"SELECT 0, {cut} UNION ALL SELECT f.i + 1, replace(f.v, CASE f.i {source} END, "
        f"CASE f.i {target} END) FROM f WHERE f.i < {len(SPELLED)}) "
        f"SELECT v FROM f WHERE f.i = {len(SPELLED)}) ELSE {cut} END"
    )


def _sqlite_list(expr: str) -> str:
    """The strings of a JSON array, in order, joined by spaces."""
    return (
        f"(SELECT group_concat(value, ' ') FROM json_each(CASE WHEN json_valid({expr}) AND "
        f"json_type({expr}) = 'array' THEN {expr} ELSE '[]' END) WHERE type = 'text')"
    )


def _sqlite_row_values(r: str) -> str:
    lang = f"replace(coalesce({r}.language, ''), '_', '-')"
    return (
        f"{r}.id, {r}.source_id, lower(substr({lang}, 1, instr({lang} || '-', '-') - 1)), "
        f"min(coalesce({r}.published_at, {r}.discovered_at), {r}.discovered_at)"
    )


_FTS_COLUMNS = "title, body, author, tag, url, src"
_ROW_INSERT = "INSERT INTO article_search (article_id, source_id, language, sort_at)"
_FTS_FROM_SOURCE = f"SELECT id, {_FTS_COLUMNS} FROM article_fts_source WHERE id = "
_FTS_DELETE = (
    f"INSERT INTO article_fts (article_fts, rowid, {_FTS_COLUMNS}) "
    f"SELECT 'delete', id, {_FTS_COLUMNS} FROM article_fts_source WHERE id = old.id"
)


def _upgrade_sqlite() -> None:
    # the words FTS5 indexes, one row per live article: the external content of article_fts,
    # read by the triggers (before a change for the old words, after it for the new ones)
    op.execute(
        "CREATE VIEW article_fts_source AS SELECT a.id AS id, "
        f"{_fold('a.title')} AS title, {_fold('a.text')} AS body, "
        f"{_fold(_sqlite_list('a.authors'))} AS author, {_fold(_sqlite_list('a.tags'))} AS tag, "
        f"{_fold('a.canonical_url')} AS url, 's' || a.source_id AS src "
        "FROM articles a WHERE a.deleted_at IS NULL"
    )
    op.execute(
        f"CREATE VIRTUAL TABLE article_fts USING fts5({_FTS_COLUMNS}, "
        "content='article_fts_source', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    # what exists already (the triggers keep it current from now on)
    op.execute(
        f"INSERT INTO article_fts (rowid, {_FTS_COLUMNS}) "
        f"SELECT id, {_FTS_COLUMNS} FROM article_fts_source"
    )
    op.execute(
        f"{_ROW_INSERT} SELECT {_sqlite_row_values('a')} FROM articles a WHERE a.deleted_at IS NULL"
    )
    op.execute(
        "CREATE TRIGGER article_search_insert AFTER INSERT ON articles "
        "WHEN new.deleted_at IS NULL BEGIN "
        f"{_ROW_INSERT} VALUES ({_sqlite_row_values('new')}); "
        f"INSERT INTO article_fts (rowid, {_FTS_COLUMNS}) {_FTS_FROM_SOURCE}new.id; "
        "END"
    )
    op.execute(
        "CREATE TRIGGER article_search_delete BEFORE DELETE ON articles "
        f"WHEN old.deleted_at IS NULL BEGIN {_FTS_DELETE}; "
        "DELETE FROM article_search WHERE article_id = old.id; END"
    )
    indexed = (*WORD_COLUMNS, "source_id", "deleted_at")
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in indexed)
    words = ", ".join(indexed)
    op.execute(
        f"CREATE TRIGGER article_search_unindex BEFORE UPDATE OF {words} ON articles "
        f"WHEN old.deleted_at IS NULL AND ({changed}) BEGIN {_FTS_DELETE}; END"
    )
    op.execute(
        f"CREATE TRIGGER article_search_reindex AFTER UPDATE OF {words} ON articles "
        f"WHEN new.deleted_at IS NULL AND ({changed}) BEGIN "
        f"INSERT INTO article_fts (rowid, {_FTS_COLUMNS}) {_FTS_FROM_SOURCE}new.id; END"
    )
    op.execute(
        f"CREATE TRIGGER article_search_update AFTER UPDATE OF "
        f"{', '.join(ROW_COLUMNS)}, deleted_at ON articles BEGIN "
        "DELETE FROM article_search WHERE article_id = old.id AND new.deleted_at IS NOT NULL; "
        f"{_ROW_INSERT} SELECT {_sqlite_row_values('new')} WHERE new.deleted_at IS NULL "
        "ON CONFLICT (article_id) DO UPDATE SET source_id = excluded.source_id, "
        "language = excluded.language, sort_at = excluded.sort_at; "
        "END"
    )


# ---- PostgreSQL -------------------------------------------------------------------------------


def _upgrade_postgresql() -> None:
    bind = op.get_bind()
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
    ).scalar_one()
    unaccent = f'"{schema}".unaccent'
    op.execute(
        "CREATE FUNCTION mimir_search_words(t text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT regexp_replace("
        f"translate(lower({unaccent}('{unaccent}'::regdictionary, normalize("
        f"{unaccent}('{unaccent}'::regdictionary, normalize(left(t, {MAX_FIELD_CHARS}), NFC)), "
        "NFKC))), 'ς', 'σ'), '[^[:alnum:]]+', ' ', 'g') $$"
    )
    op.execute(
        'CREATE FUNCTION mimir_search_vector(t text, w "char") RETURNS tsvector '
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT setweight("
        "to_tsvector('simple'::regconfig, coalesce(mimir_search_words(t), '')), w) $$"
    )
    op.execute(
        "CREATE FUNCTION mimir_search_list(j jsonb) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN jsonb_typeof(j) = 'array' "
        "THEN (SELECT string_agg(e #>> '{}', ' ' ORDER BY i) FROM jsonb_array_elements(j) "
        "WITH ORDINALITY AS x(e, i) WHERE jsonb_typeof(e) = 'string') END $$"
    )
    op.execute(
        "CREATE FUNCTION mimir_search_language(l text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        "SELECT lower(split_part(replace(coalesce(l, ''), '_', '-'), '-', 1)) $$"
    )
    available = set(bind.execute(sa.text("SELECT cfgname FROM pg_ts_config")).scalars())
    cases = " ".join(
        f"WHEN '{code}' THEN '{name}'::regconfig"
        for code, name in PG_CONFIGS.items()
        if name in available
    )
    op.execute(
        "CREATE FUNCTION mimir_search_config(code text) RETURNS regconfig "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE code "
        f"{cases} ELSE 'simple'::regconfig END $$"
    )
    # marks: lexemes no word can be (words have no "_"), for the source and the day, so that a
    # search for a few sources or a few days is a join of short posting lists in the index
    op.execute(
        "CREATE FUNCTION mimir_search_marks(source_id bigint, sort_at timestamptz) "
        "RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_tsvector("
        "array_remove(ARRAY['_src' || source_id, "
        "'_d' || to_char(sort_at AT TIME ZONE 'UTC', 'YYYYMMDD')], NULL)) $$"
    )
    for column in ("terms", "meta", "rank_terms"):
        op.execute(f"ALTER TABLE article_search ADD COLUMN {column} tsvector NOT NULL")
    op.execute(
        "ALTER TABLE article_search ADD COLUMN rank_config regconfig NOT NULL "
        "DEFAULT 'simple'::regconfig"
    )
    op.execute(
        "CREATE FUNCTION mimir_article_search_row(a articles) RETURNS TABLE ("
        "article_id bigint, source_id bigint, language varchar, sort_at timestamptz, "
        "terms tsvector, meta tsvector, rank_config regconfig, rank_terms tsvector) "
        "LANGUAGE sql STABLE AS $$ SELECT a.id, a.source_id, l.code, l.sort_at, "
        "mimir_search_vector(a.title, 'A') || mimir_search_vector(a.text, 'B') "
        "|| mimir_search_marks(a.source_id, l.sort_at), "
        "mimir_search_vector(mimir_search_list(a.authors), 'A') "
        "|| mimir_search_vector(mimir_search_list(a.tags), 'B') "
        "|| mimir_search_vector(a.canonical_url, 'C'), "
        "l.cfg, "
        "setweight(to_tsvector(l.cfg, coalesce(mimir_search_words(a.title), '')), 'A') "
        "|| setweight(to_tsvector(l.cfg, coalesce(mimir_search_words("
        f"left(a.text, {LEAD_CHARS})), '')), 'D') "
        "FROM (SELECT mimir_search_language(a.language) AS code, "
        "mimir_search_config(mimir_search_language(a.language)) AS cfg, "
        "LEAST(coalesce(a.published_at, a.discovered_at), a.discovered_at) AS sort_at) l $$"
    )
    columns = "article_id, source_id, language, sort_at, terms, meta, rank_config, rank_terms"
    op.execute(
        f"INSERT INTO article_search ({columns}) SELECT r.* FROM articles a, "
        "LATERAL mimir_article_search_row(a) r WHERE a.deleted_at IS NULL"
    )
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns.split(", ")[1:])
    op.execute(
        "CREATE FUNCTION mimir_article_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF NEW.deleted_at IS NOT NULL THEN "
        "DELETE FROM article_search WHERE article_id = NEW.id; "
        "ELSE "
        f"INSERT INTO article_search ({columns}) "
        "SELECT * FROM mimir_article_search_row(NEW) "
        f"ON CONFLICT (article_id) DO UPDATE SET {updates}; "
        "END IF; "
        "RETURN NULL; "
        "END $$"
    )
    op.execute(
        "CREATE TRIGGER article_search_sync AFTER INSERT OR UPDATE OF "
        f"{', '.join((*WORD_COLUMNS, *ROW_COLUMNS))}, deleted_at ON articles "
        "FOR EACH ROW EXECUTE FUNCTION mimir_article_search_sync()"
    )
    op.execute("CREATE INDEX ix_article_search_terms ON article_search USING gin (terms)")
    op.execute("CREATE INDEX ix_article_search_meta ON article_search USING gin (meta)")
