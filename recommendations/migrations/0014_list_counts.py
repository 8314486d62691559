"""The unfiltered list's figures kept by the database (recommendations.models.ListCount).

Statement-level triggers with transition tables, like 0008's versions: one INSERT of the
differences per statement, whatever path wrote (views, admin, importer, bulk, jobs, SQL). An
item counts while it is a current point (in_source and not a container). Each trigger adds, per
(facet, key), what the changed rows contribute now minus what they contributed before:

- an item: total, its status, level, answer category, lead department, "no deadline", its
  deadline while its clock runs ("open_deadline", so "overdue" is the sum of the keys before
  today), article, its tags and its departments (lead or co, each once) as they are when the
  statement runs;
- a tag link or a co-department: that tag or department, for a current point (a co-department
  that is also the item's lead department adds nothing: the item already counts there).

Either order of deleting an item and its links gives the same sums: the links deleted first
take their tags off while the item is still there; deleted after it, they find no item and the
item took them off itself.
"""

from django.db import migrations, models

COUNTS = "recommendations_listcount"
REC = "recommendations_recommendation"
TAG_LINK = "recommendations_recommendationtag"
CODEPT = "recommendations_codepartment"
CURRENT_POINT = "r.in_source AND NOT r.is_container"
# Recommendation.CLOCK_STOPPED_STATUSES when this was written (tests/test_list_counts.py checks
# it still is): an item in these has no running deadline, so it is never overdue.
CLOCK_STOPPED = "'answered', 'not_actionable', 'review'"
# The item columns that decide what it contributes; an UPDATE that changes none adds nothing.
FIELDS = (
    "status",
    "depth",
    "answer_category",
    "lead_department_id",
    "deadline",
    "article_id",
    "in_source",
    "is_container",
)


def _item_contributions(rows: str) -> str:
    """(facet, key) of each current point in `rows` (a relation of item rows)."""
    return f"""
        SELECT c.facet, c.key FROM {rows} r CROSS JOIN LATERAL (VALUES
            ('total', ''),
            ('status', r.status),
            ('level', r.depth::text),
            ('answer_category', r.answer_category),
            ('lead_department', r.lead_department_id::text),
            ('deadline', CASE WHEN r.deadline IS NULL THEN 'none' END),
            ('open_deadline', CASE WHEN r.status NOT IN ({CLOCK_STOPPED})
                              THEN to_char(r.deadline, 'YYYY-MM-DD') END),
            ('article', r.article_id::text)
        ) AS c(facet, key)
        WHERE {CURRENT_POINT} AND c.key IS NOT NULL
        UNION ALL
        SELECT 'tag', l.tag_id::text FROM {rows} r
        JOIN {TAG_LINK} l ON l.recommendation_id = r.id WHERE {CURRENT_POINT}
        UNION ALL
        SELECT 'department', d.dept::text FROM {rows} r CROSS JOIN LATERAL (
            SELECT r.lead_department_id AS dept
            UNION SELECT c.department_id FROM {CODEPT} c WHERE c.recommendation_id = r.id
        ) AS d WHERE {CURRENT_POINT} AND d.dept IS NOT NULL"""


def _link_contributions(rows: str, facet: str, column: str, skip_lead: bool) -> str:
    lead = f" AND r.lead_department_id IS DISTINCT FROM x.{column}" if skip_lead else ""
    return f"""
        SELECT '{facet}', x.{column}::text FROM {rows} x
        JOIN {REC} r ON r.id = x.recommendation_id WHERE {CURRENT_POINT}{lead}"""


def _add(new_sql: str | None, old_sql: str | None) -> str:
    parts = []
    if new_sql:
        parts.append(f"SELECT facet, key, 1 AS d FROM ({new_sql}) AS added(facet, key)")
    if old_sql:
        parts.append(f"SELECT facet, key, -1 AS d FROM ({old_sql}) AS taken(facet, key)")
    return f"""
    INSERT INTO {COUNTS} (facet, key, n)
    SELECT facet, key, sum(d) FROM ({" UNION ALL ".join(parts)}) AS changes
    GROUP BY facet, key HAVING sum(d) <> 0;"""


def _changed(side: str) -> str:
    """The rows of one side of an UPDATE whose contributing columns changed."""
    old = ", ".join(f"o.{f}" for f in FIELDS)
    new = ", ".join(f"n.{f}" for f in FIELDS)
    return (
        f"(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id "
        f"WHERE ROW({old}) IS DISTINCT FROM ROW({new}))"
    )


def _function(name: str, branches: dict) -> str:
    body = "\n    ELS".join(f"IF TG_OP = '{op}' THEN {sql}" for op, sql in branches.items())
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body}
    END IF;
    RETURN NULL;
END $$;"""


REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _triggers(table: str, function: str) -> str:
    return "".join(
        f"\nCREATE TRIGGER portal_list_counts_{op.lower()} AFTER {op} ON {table} "
        f"{REFERENCING[op]} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for op in REFERENCING
    )


def _link_branches(facet: str, column: str, skip_lead: bool) -> dict:
    new = _link_contributions("new_rows", facet, column, skip_lead)
    old = _link_contributions("old_rows", facet, column, skip_lead)
    return {"INSERT": _add(new, None), "UPDATE": _add(new, old), "DELETE": _add(None, old)}


FORWARD = f"""
{
    _function(
        "portal_list_counts_item",
        {
            "INSERT": _add(_item_contributions("new_rows"), None),
            "UPDATE": _add(_item_contributions(_changed("n")), _item_contributions(_changed("o"))),
            "DELETE": _add(None, _item_contributions("old_rows")),
        },
    )
}
{_triggers(REC, "portal_list_counts_item")}
{_function("portal_list_counts_tag", _link_branches("tag", "tag_id", skip_lead=False))}
{_triggers(TAG_LINK, "portal_list_counts_tag")}
{_function("portal_list_counts_codept", _link_branches("department", "department_id", True))}
{_triggers(CODEPT, "portal_list_counts_codept")}

-- One row per (facet, key), for the keys with several rows (or a zero sum). Takes only rows
-- committed before it started (READ COMMITTED): rows that writers add meanwhile stay as they
-- are, and a second compaction running at the same time waits for this one's rows, finds them
-- gone and sums only what it took itself. Returns how many rows it folded.
CREATE FUNCTION portal_compact_list_counts() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE folded bigint;
BEGIN
    WITH many AS (
            SELECT facet, key FROM {COUNTS} GROUP BY facet, key
            HAVING count(*) > 1 OR sum(n) = 0
         ),
         gone AS (
            DELETE FROM {COUNTS} c USING many WHERE c.facet = many.facet AND c.key = many.key
            RETURNING c.facet, c.key, c.n
         ),
         kept AS (
            INSERT INTO {COUNTS} (facet, key, n)
            SELECT facet, key, sum(n) FROM gone GROUP BY facet, key HAVING sum(n) <> 0
         )
    SELECT count(*) INTO folded FROM gone;
    RETURN folded;
END $$;

INSERT INTO {COUNTS} (facet, key, n)
SELECT facet, key, count(*) FROM ({_item_contributions(REC)}) AS now(facet, key)
GROUP BY facet, key;
"""

BACKWARD = """
DROP FUNCTION portal_list_counts_item() CASCADE;
DROP FUNCTION portal_list_counts_tag() CASCADE;
DROP FUNCTION portal_list_counts_codept() CASCADE;
DROP FUNCTION portal_compact_list_counts();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0013_current_facets_cover_points"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("facet", models.CharField(max_length=20)),
                ("key", models.CharField(blank=True, max_length=40)),
                ("n", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "列表计数",
                "verbose_name_plural": "列表计数",
                "default_permissions": (),
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
