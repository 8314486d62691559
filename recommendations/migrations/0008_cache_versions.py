"""Versions per cached object (recommendations/figures.py), kept by the database itself.

Every write to a table a page shows notes the scopes it changes ("rec:12" for an item's own page,
"tree:3" for the links between the items of article 3, "t:rec" for everything counted over all
items, …) in `recommendations_pendingversion`, from statement-level triggers, so a bare
QuerySet.update(), the admin, the importer and the bulk actions are seen alike. When the
transaction commits, a deferred trigger adds one to each noted scope's version in a single
statement, in scope order: the row locks of the versions are taken at commit only and always in
the same order, so two writers never deadlock on them and a reader sees a new version exactly
when it can see the data behind it. Statement-level (with transition tables) rather than per
row, so an import of 40 items or a bulk update of 5,000 adds one pending row, not thousands.
"""

from django.db import migrations

TREE_FIELDS = 'heading, number, place, marker, "order", depth, parent_id, status, in_source'
ARTICLE_FIELDS = f"{TREE_FIELDS}, lead_department_id, source_lines"


def _changed(fields: str) -> str:
    """Rows of an UPDATE's transition tables whose `fields` changed."""
    return (
        "FROM old_rows o JOIN new_rows n ON n.id = o.id "
        f"WHERE ROW({', '.join('o.' + f.strip() for f in fields.split(','))}) IS DISTINCT FROM "
        f"ROW({', '.join('n.' + f.strip() for f in fields.split(','))})"
    )


# table -> {operation: SQL of a text[] of scopes}; rows come from new_rows / old_rows.
SCOPES = {
    "recommendations_recommendation": {
        "INSERT": """ARRAY['t:rec']
            || ARRAY(SELECT DISTINCT 'tree:' || article_id FROM new_rows)
            || ARRAY(SELECT DISTINCT 'art:' || article_id FROM new_rows)""",
        "UPDATE": f"""ARRAY['t:rec']
            || ARRAY(SELECT 'rec:' || id FROM new_rows)
            || ARRAY(SELECT DISTINCT 'tree:' || n.article_id {_changed(TREE_FIELDS)})
            || ARRAY(SELECT DISTINCT 'tree:' || o.article_id {_changed(TREE_FIELDS)})
            || ARRAY(SELECT DISTINCT 'art:' || n.article_id {_changed(ARTICLE_FIELDS)})""",
        "DELETE": """ARRAY['t:rec']
            || ARRAY(SELECT 'rec:' || id FROM old_rows)
            || ARRAY(SELECT DISTINCT 'tree:' || article_id FROM old_rows)
            || ARRAY(SELECT DISTINCT 'art:' || article_id FROM old_rows)""",
    },
    "recommendations_recommendationtag": {
        op: f"""ARRAY['t:tag_link']
            || ARRAY(SELECT DISTINCT 'rec:' || recommendation_id FROM {rows})
            || ARRAY(SELECT DISTINCT 'art:' || r.article_id FROM {rows} l
                     JOIN recommendations_recommendation r ON r.id = l.recommendation_id)"""
        for op, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows"))
    },
    "recommendations_codepartment": {
        op: f"""ARRAY['t:codept']
            || ARRAY(SELECT DISTINCT 'rec:' || recommendation_id FROM {rows})"""
        for op, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows"))
    },
    "recommendations_comment": {
        op: f"""ARRAY['t:comment']
            || ARRAY(SELECT DISTINCT 'rec:' || recommendation_id FROM {rows})"""
        for op, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows"))
    },
    # An article's title, author names and blocks show on its own page, on each of its items'
    # pages and in the list rows: "meta:<article>" and "t:meta".
    "recommendations_article": {
        "INSERT": "ARRAY['t:meta']",
        "UPDATE": "ARRAY['t:meta'] || ARRAY(SELECT 'meta:' || id FROM new_rows)",
        "DELETE": "ARRAY['t:meta'] || ARRAY(SELECT 'meta:' || id FROM old_rows)",
    },
    "recommendations_byline": {
        op: f"ARRAY['t:meta'] || ARRAY(SELECT DISTINCT 'meta:' || article_id FROM {rows})"
        for op, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows"))
    },
    "recommendations_byline_affiliations": {
        op: f"""ARRAY['t:meta'] || ARRAY(SELECT DISTINCT 'meta:' || b.article_id FROM {rows} x
                JOIN recommendations_byline b ON b.id = x.byline_id)"""
        for op, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows"))
    },
    # An edition's text shows on its articles' and items' pages (the source lines).
    "recommendations_edition": {
        op: f"""ARRAY['t:meta'] || ARRAY(SELECT DISTINCT 'meta:' || a.id FROM {rows} e
                JOIN recommendations_article a ON a.edition_id = e.id)"""
        for op, rows in (("UPDATE", "new_rows"), ("DELETE", "old_rows"))
    },
    # Names shown wherever an article's byline is: a new row shows nowhere until it is linked.
    **{
        table: {"UPDATE": "ARRAY['t:names']", "DELETE": "ARRAY['t:names']"}
        for table in (
            "recommendations_person",
            "recommendations_organization",
            "recommendations_affiliation",
            "recommendations_series",
        )
    },
    # 重点督办 (handling app) shows on the item's page, in the list rows and on the dashboard.
    "handling_supervision": {
        op: f"""ARRAY['t:rec']
            || ARRAY(SELECT DISTINCT 'rec:' || recommendation_id FROM {rows})"""
        for op, rows in (("INSERT", "new_rows"), ("UPDATE", "new_rows"), ("DELETE", "old_rows"))
    },
    # Every tag and department is offered in the list's facets and the item's forms.
    **{
        table: {op: "ARRAY['t:labels']" for op in ("INSERT", "UPDATE", "DELETE")}
        for table in ("recommendations_tag", "recommendations_department")
    },
}

REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}

BASE = """
CREATE TABLE recommendations_cacheversion (
    scope text PRIMARY KEY,
    version bigint NOT NULL
);
CREATE TABLE recommendations_pendingversion (
    xact xid8 NOT NULL,
    scopes text[] NOT NULL
);
CREATE INDEX recommendations_pendingversion_xact ON recommendations_pendingversion (xact);

CREATE FUNCTION portal_note_versions(scopes text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO recommendations_pendingversion (xact, scopes)
    SELECT pg_current_xact_id(), scopes WHERE cardinality(scopes) > 0
$$;

-- Runs at commit (deferred), once per pending row; the first run of a transaction does the work.
CREATE FUNCTION portal_flush_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('portal.versions_flushed', true) = pg_current_xact_id()::text THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('portal.versions_flushed', pg_current_xact_id()::text, true);
    INSERT INTO recommendations_cacheversion AS v (scope, version)
    SELECT scope, 1 FROM (
        SELECT DISTINCT unnest(scopes) AS scope FROM recommendations_pendingversion
        WHERE xact = pg_current_xact_id()
    ) AS noted ORDER BY scope
    ON CONFLICT (scope) DO UPDATE SET version = v.version + 1;
    DELETE FROM recommendations_pendingversion WHERE xact = pg_current_xact_id();
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER portal_flush_versions AFTER INSERT ON recommendations_pendingversion
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION portal_flush_versions();
"""


def _table_sql(table: str, scopes: dict) -> str:
    branches = "\n    ELS".join(
        f"""IF TG_OP = '{op}' THEN
        IF NOT EXISTS (SELECT 1 FROM {"old_rows" if op == "DELETE" else "new_rows"}) THEN
            RETURN NULL;
        END IF;
        PERFORM portal_note_versions({sql});"""
        for op, sql in scopes.items()
    )
    sql = f"""
CREATE FUNCTION portal_versions_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {branches}
    END IF;
    RETURN NULL;
END $$;
"""
    for op in scopes:
        sql += (
            f"CREATE TRIGGER portal_versions_{op.lower()} AFTER {op} ON {table} "
            f"{REFERENCING[op]} FOR EACH STATEMENT EXECUTE FUNCTION portal_versions_{table}();\n"
        )
    return sql


FORWARD = BASE + "".join(_table_sql(table, scopes) for table, scopes in SCOPES.items())
BACKWARD = (
    "".join(f"DROP FUNCTION portal_versions_{table}() CASCADE;\n" for table in SCOPES)
    + """
DROP TABLE recommendations_pendingversion;
DROP TABLE recommendations_cacheversion;
DROP FUNCTION portal_flush_versions();
DROP FUNCTION portal_note_versions(text[]);
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0007_field_labels"),
        ("handling", "0003_supervision"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
