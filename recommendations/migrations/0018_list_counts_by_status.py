"""ListCount also keeps each facet's counts per status ("s:tag" "assigned:7", …), so a list
filtered by a status and one other value (已交办 with a tag, a department, a level…) reads both
chosen facets' own counts from it and matches only the items passing both.

The three trigger functions of 0014 are replaced: each contribution now carries the item's
status, and those of the paired facets are added a second time under "s:<facet>" with the key
"<status>:<key>". The rows for what is stored already are added here.
"""

import importlib

from django.db import migrations

base = importlib.import_module("recommendations.migrations.0014_list_counts")
COUNTS, REC, TAG_LINK, CODEPT = base.COUNTS, base.REC, base.TAG_LINK, base.CODEPT
CURRENT_POINT, CLOCK_STOPPED = base.CURRENT_POINT, base.CLOCK_STOPPED
# The facets kept per status (recommendations/filters.py STATUS_PAIRED).
PAIRED = ("tag", "department", "lead_department", "level", "answer_category")


def _item_contributions(rows: str) -> str:
    """(facet, key, status) of each current point in `rows` (a relation of item rows)."""
    return f"""
        SELECT c.facet, c.key, r.status FROM {rows} r CROSS JOIN LATERAL (VALUES
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
        SELECT 'tag', l.tag_id::text, r.status FROM {rows} r
        JOIN {TAG_LINK} l ON l.recommendation_id = r.id WHERE {CURRENT_POINT}
        UNION ALL
        SELECT 'department', d.dept::text, r.status FROM {rows} r CROSS JOIN LATERAL (
            SELECT r.lead_department_id AS dept
            UNION SELECT c.department_id FROM {CODEPT} c WHERE c.recommendation_id = r.id
        ) AS d WHERE {CURRENT_POINT} AND d.dept IS NOT NULL"""


def _link_contributions(rows: str, facet: str, column: str, skip_lead: bool) -> str:
    lead = f" AND r.lead_department_id IS DISTINCT FROM x.{column}" if skip_lead else ""
    return f"""
        SELECT '{facet}', x.{column}::text, r.status FROM {rows} x
        JOIN {REC} r ON r.id = x.recommendation_id WHERE {CURRENT_POINT}{lead}"""


def _with_status(sql: str) -> str:
    """(facet, key) rows: each contribution, and the paired ones again per status."""
    paired = ", ".join(f"'{facet}'" for facet in PAIRED)
    return f"""
        WITH c(facet, key, status) AS ({sql})
        SELECT facet, key FROM c
        UNION ALL
        SELECT 's:' || facet, status || ':' || key FROM c WHERE facet IN ({paired})"""


def _add(new_sql: str | None, old_sql: str | None) -> str:
    parts = []
    if new_sql:
        parts.append(f"SELECT facet, key, 1 AS d FROM ({_with_status(new_sql)}) AS added")
    if old_sql:
        parts.append(f"SELECT facet, key, -1 AS d FROM ({_with_status(old_sql)}) AS taken")
    return f"""
    INSERT INTO {COUNTS} (facet, key, n)
    SELECT facet, key, sum(d) FROM ({" UNION ALL ".join(parts)}) AS changes
    GROUP BY facet, key HAVING sum(d) <> 0;"""


def _function(name: str, branches: dict) -> str:
    body = "\n    ELS".join(f"IF TG_OP = '{op}' THEN {sql}" for op, sql in branches.items())
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body}
    END IF;
    RETURN NULL;
END $$;"""


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
            "UPDATE": _add(
                _item_contributions(base._changed("n")), _item_contributions(base._changed("o"))
            ),
            "DELETE": _add(None, _item_contributions("old_rows")),
        },
    )
}
{_function("portal_list_counts_tag", _link_branches("tag", "tag_id", skip_lead=False))}
{_function("portal_list_counts_codept", _link_branches("department", "department_id", True))}

INSERT INTO {COUNTS} (facet, key, n)
SELECT facet, key, count(*) FROM ({_with_status(_item_contributions(REC))}) AS now(facet, key)
WHERE facet LIKE 's:%' GROUP BY facet, key;
"""

# Back to 0014's functions, without the rows per status.
BACKWARD = (
    base.FORWARD.split("CREATE TRIGGER")[0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
    + f"""
{base._function("portal_list_counts_tag", base._link_branches("tag", "tag_id", skip_lead=False))}
{base._function("portal_list_counts_codept", base._link_branches("department", "department_id", True))}
DELETE FROM {COUNTS} WHERE facet LIKE 's:%';
""".replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0017_history_statement_level"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
