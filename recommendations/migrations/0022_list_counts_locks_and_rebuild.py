"""ListCount made safe beside concurrent writers, and rebuilt where a statement skips the
row triggers.

- A tag link or co-department trigger reads its item's status, lead department and place in
  the source. Under its own snapshot it could miss an item change that another transaction
  had not yet committed (adding a link does not wait for an item's UPDATE), and that item's
  own trigger had not seen the link either: both counted on stale rows and the sums drifted for
  good. Each link branch now first locks its items FOR SHARE (in id order), which waits for
  any uncommitted item write; its next statement, with a new snapshot, reads the committed
  item. An item writer that comes second waits for the link writer in turn, and its trigger
  then sees the committed link.
- TRUNCATE fires no row or statement trigger: an AFTER TRUNCATE trigger rebuilds the counts.
- portal_rebuild_list_counts() recounts everything in one statement (one snapshot: the rows
  it deletes and the items it counts are the same moment's); the worker also runs it nightly.
"""

import importlib

from django.db import migrations

base = importlib.import_module("recommendations.migrations.0018_list_counts_by_status")
COUNTS, REC = base.COUNTS, base.REC
TABLES = (base.REC, base.TAG_LINK, base.CODEPT)


def _locked(rows: str) -> str:
    return (
        f"PERFORM 1 FROM {REC} WHERE id IN (SELECT recommendation_id FROM {rows}) "
        "ORDER BY id FOR SHARE;"
    )


LOCKS = {
    "INSERT": _locked("new_rows"),
    "UPDATE": _locked(
        "(SELECT recommendation_id FROM old_rows UNION SELECT recommendation_id FROM new_rows) AS both_sides"
    ),
    "DELETE": _locked("old_rows"),
}


def _link_function(name: str, facet: str, column: str, skip_lead: bool) -> str:
    branches = base._link_branches(facet, column, skip_lead)
    locked = {op: f"{LOCKS[op]}\n{sql}" for op, sql in branches.items()}
    return base._function(name, locked)


FORWARD = f"""
{_link_function("portal_list_counts_tag", "tag", "tag_id", skip_lead=False)}
{_link_function("portal_list_counts_codept", "department", "department_id", True)}

CREATE FUNCTION portal_rebuild_list_counts() RETURNS bigint LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM {COUNTS} RETURNING 1),
         now AS (
            INSERT INTO {COUNTS} (facet, key, n)
            SELECT facet, key, count(*)
            FROM ({base._with_status(base._item_contributions(REC))}) AS now(facet, key)
            GROUP BY facet, key
            RETURNING n
         )
    SELECT count(*) FROM now
$$;

CREATE FUNCTION portal_list_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM portal_rebuild_list_counts();
    RETURN NULL;
END $$;
""" + "".join(
    f"\nCREATE TRIGGER portal_list_counts_truncate AFTER TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION portal_list_counts_truncated();"
    for table in TABLES
)

# Back to 0018's link functions.
BACKWARD = (
    "".join(f"DROP TRIGGER portal_list_counts_truncate ON {table};\n" for table in TABLES)
    + """
DROP FUNCTION portal_list_counts_truncated();
DROP FUNCTION portal_rebuild_list_counts();
"""
    + base._function("portal_list_counts_tag", base._link_branches("tag", "tag_id", False))
    + base._function(
        "portal_list_counts_codept", base._link_branches("department", "department_id", True)
    )
)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0021_search_versions"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
