"""Warehouse models: the SQL of dbt_like_sql/ as Dagster assets (see assets.py, sql_models.py)."""
