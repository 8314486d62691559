"""A version for the search documents ("t:search", recommendations/figures.py), moved by
statement-level triggers like 0008's: a search's match (which items, their rank) is cached
until a document changes (an item's heading or text) or a name it matches by (bylines, names:
"t:meta", "t:names"), so a status or tag change recomputes only the facets around it."""

import importlib

from django.db import migrations

versions = importlib.import_module("recommendations.migrations.0008_cache_versions")
TABLE = "recommendations_searchdocument"
SCOPES = {op: "ARRAY['t:search']" for op in ("INSERT", "UPDATE", "DELETE")}


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0020_names_only_with_a_key"),
    ]

    operations = [
        migrations.RunSQL(
            versions._table_sql(TABLE, SCOPES), f"DROP FUNCTION portal_versions_{TABLE}() CASCADE;"
        )
    ]
