{#- On Spark, the sources are the lake's Parquet files (lake/<schema>/<table>/, written by ingestion and the ML layer;
    foundation/lake.py): each is registered once as an external table whose columns are the source's declared ones
    (the contracts of models/warehouse.py and models/ml.py), so a table with no file yet reads as empty instead of
    failing. Each is registered again on every run (only its definition: the files stay), so a column a contract
    gained is read, and its partitions are recovered so the files landed since are read. On DuckDB the sources are
    the warehouse's own tables: nothing to do. -#}
{% macro register_lake_sources() -%}
    {%- if target.type in ('spark', 'databricks') and execute -%}
        {%- set lake = env_var('HUNTRED_WAREHOUSE_DIR', '../warehouse') ~ '/lake' -%}
        {%- for source in graph.sources.values() -%}
            {%- set partitioned = source.schema == 'raw' -%}
            {%- set columns = [] -%}
            {%- for column in source.columns.values() -%}
                {%- do columns.append(adapter.quote(column.name) ~ ' ' ~ spark_type(column.data_type)) -%}
            {%- endfor -%}
            {%- if partitioned %}{% do columns.append('business_date date') %}{% endif -%}
            {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
            {%- do run_query('create table ' ~ source.schema ~ '.' ~ source.identifier ~ ' (' ~ columns | join(', ')
                ~ ') using parquet' ~ (' partitioned by (business_date)' if partitioned else '')
                ~ " location '" ~ lake ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
            {%- if partitioned %}{% do run_query('alter table ' ~ source.schema ~ '.' ~ source.identifier ~ ' recover partitions') %}{% endif -%}
            {%- do run_query('refresh table ' ~ source.schema ~ '.' ~ source.identifier) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- A contract's type (DuckDB's name, as the sources declare it) in Spark's words. -#}
{% macro spark_type(data_type) -%}
    {{- {'varchar': 'string', 'json': 'string', 'timestamptz': 'timestamp', 'tinyint': 'tinyint', 'bigint': 'bigint',
         'integer': 'int', 'double': 'double', 'date': 'date', 'boolean': 'boolean'}[data_type | lower] -}}
{%- endmacro %}
