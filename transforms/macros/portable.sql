{#- The one place SQL differs between engines (DuckDB, the default, and Spark: docs/scale-out.md). A model says what
    it means (a JSON field's text, a local day, a number of days) and the engine's macro says how; everything else in
    the models is SQL both engines read alike, which tests/transforms/test_portable_sql.py keeps so. -#}

{#- huntRED reports in Mexico City time (no DST since 2022). -#}
{% macro local_date(ts) -%}{{ return(adapter.dispatch('local_date')(ts)) }}{%- endmacro %}
{% macro default__local_date(ts) -%}(timezone('America/Mexico_City', {{ ts }}))::date{%- endmacro %}
{% macro spark__local_date(ts) -%}to_date(from_utc_timestamp({{ ts }}, 'America/Mexico_City')){%- endmacro %}

{#- Money to the cent, half up on the exact decimal, so both engines give the same cents (round of a double differs:
    DuckDB's round(2.675, 2) is 2.67 because 2.675 is 2.67499… as a double, Spark's is 2.68). -#}
{% macro money(amount) -%}{{ rounded(amount, 2) }}{%- endmacro %}
{#- Any fraction to some digits, the same way (half up on its decimal value to 9 places). -#}
{% macro rounded(value, digits) -%}cast(round(cast({{ value }} as decimal(38, 9)), {{ digits }}) as double){%- endmacro %}
{% macro to_mxn(amount, rate) -%}{{ money('(' ~ amount ~ ') * (' ~ rate ~ ')') }}{%- endmacro %}

{#- A JSON field as text ('$.a.b', '$.items[0].id'); on Spark a string column holds the JSON. -#}
{% macro json_text(column, path) -%}{{ return(adapter.dispatch('json_text')(column, path)) }}{%- endmacro %}
{% macro default__json_text(column, path) -%}({{ column }} ->> '$.{{ path }}'){%- endmacro %}
{% macro spark__json_text(column, path) -%}get_json_object({{ column }}, '$.{{ path }}'){%- endmacro %}

{#- A JSON field as JSON (an object or an array, to read further with json_text). -#}
{% macro json_value(column, path) -%}{{ return(adapter.dispatch('json_value')(column, path)) }}{%- endmacro %}
{% macro default__json_value(column, path) -%}({{ column }} -> '$.{{ path }}'){%- endmacro %}
{% macro spark__json_value(column, path) -%}get_json_object({{ column }}, '$.{{ path }}'){%- endmacro %}

{#- A field of an array's last element: Spark's JSON paths have no [-1]. -#}
{% macro json_last_text(column, array_path, field) -%}{{ return(adapter.dispatch('json_last_text')(column, array_path, field)) }}{%- endmacro %}
{% macro default__json_last_text(column, array_path, field) -%}({{ column }} ->> '$.{{ array_path }}[-1].{{ field }}'){%- endmacro %}
{% macro spark__json_last_text(column, array_path, field) -%}
    get_json_object(element_at(from_json(get_json_object({{ column }}, '$.{{ array_path }}'), 'array<string>'), -1), '$.{{ field }}')
{%- endmacro %}

{#- An array of JSON objects, one row each (`select ... from {{ json_each('t.col', 'payload.items') }}` is not
    portable, so a model explodes with this in its select list and reads fields with json_text). -#}
{% macro json_elements(column, path) -%}{{ return(adapter.dispatch('json_elements')(column, path)) }}{%- endmacro %}
{% macro default__json_elements(column, path) -%}unnest(from_json({{ column }} -> '$.{{ path }}', '["json"]')){%- endmacro %}
{% macro spark__json_elements(column, path) -%}explode(from_json(get_json_object({{ column }}, '$.{{ path }}'), 'array<string>')){%- endmacro %}

{#- Unix seconds (text or number) as a point in time. -#}
{% macro from_unix(column) -%}{{ return(adapter.dispatch('from_unix')(column)) }}{%- endmacro %}
{% macro default__from_unix(column) -%}to_timestamp(({{ column }})::bigint){%- endmacro %}
{% macro spark__from_unix(column) -%}timestamp_seconds(cast({{ column }} as bigint)){%- endmacro %}

{#- Whole days from one day to another (end - start). -#}
{% macro days_between(start, end) -%}{{ return(adapter.dispatch('days_between')(start, end)) }}{%- endmacro %}
{% macro default__days_between(start, end) -%}date_diff('day', {{ start }}, {{ end }}){%- endmacro %}
{% macro spark__days_between(start, end) -%}datediff({{ end }}, {{ start }}){%- endmacro %}

{#- Fractional days between two points in time, to the second. -#}
{% macro days_elapsed(start, end) -%}{{ return(adapter.dispatch('days_elapsed')(start, end)) }}{%- endmacro %}
{% macro default__days_elapsed(start, end) -%}(date_diff('second', {{ start }}, {{ end }}) / 86400e0){%- endmacro %}
{% macro spark__days_elapsed(start, end) -%}((unix_seconds({{ end }}) - unix_seconds({{ start }})) / 86400e0){%- endmacro %}

{#- Whole calendar months from one month's first day to another's. -#}
{% macro months_between_firsts(start, end) -%}{{ return(adapter.dispatch('months_between_firsts')(start, end)) }}{%- endmacro %}
{% macro default__months_between_firsts(start, end) -%}date_diff('month', {{ start }}, {{ end }}){%- endmacro %}
{% macro spark__months_between_firsts(start, end) -%}cast(months_between({{ end }}, {{ start }}) as bigint){%- endmacro %}

{#- The first day of a day's month or (Monday) week, as a date on both engines (Spark's date_trunc gives a timestamp). -#}
{% macro month_start(day) -%}cast(date_trunc('month', {{ day }}) as date){%- endmacro %}
{% macro week_start(day) -%}cast(date_trunc('week', {{ day }}) as date){%- endmacro %}

{#- One row per day from start to end, both included, as `select {{ day_series(...) }} as d` (none when end is
    before start, as DuckDB's range gives; Spark's sequence would fail). -#}
{% macro day_series(start, end) -%}{{ return(adapter.dispatch('day_series')(start, end)) }}{%- endmacro %}
{% macro default__day_series(start, end) -%}unnest(range(cast({{ start }} as date), cast({{ end }} as date) + 1, interval 1 day))::date{%- endmacro %}
{% macro spark__day_series(start, end) -%}
    explode(case when cast({{ start }} as date) <= cast({{ end }} as date)
                 then sequence(cast({{ start }} as date), cast({{ end }} as date), interval 1 day) end)
{%- endmacro %}

{#- One row per month's first day from start's month to end's, both included. -#}
{% macro month_series(start, end) -%}{{ return(adapter.dispatch('month_series')(start, end)) }}{%- endmacro %}
{% macro default__month_series(start, end) -%}unnest(range(cast({{ start }} as date), cast({{ end }} as date) + interval 1 month, interval 1 month))::date{%- endmacro %}
{% macro spark__month_series(start, end) -%}
    explode(case when cast({{ start }} as date) <= cast({{ end }} as date)
                 then sequence(cast({{ start }} as date), cast({{ end }} as date), interval 1 month) end)
{%- endmacro %}

{#- Text as a date when it is one (yyyy-mm-dd), else NULL. -#}
{% macro try_date(text) -%}{{ return(adapter.dispatch('try_date')(text)) }}{%- endmacro %}
{% macro default__try_date(text) -%}try_cast({{ text }} as date){%- endmacro %}
{% macro spark__try_date(text) -%}try_to_date({{ text }}, 'yyyy-MM-dd'){%- endmacro %}

{#- The instant a local (Mexico City) day ends. -#}
{% macro local_day_end(day) -%}{{ return(adapter.dispatch('local_day_end')(day)) }}{%- endmacro %}
{% macro default__local_day_end(day) -%}({{ day }}::varchar || 'T23:59:59-06:00')::timestamptz{%- endmacro %}
{% macro spark__local_day_end(day) -%}to_utc_timestamp(cast(cast({{ day }} as string) || ' 23:59:59' as timestamp), 'America/Mexico_City'){%- endmacro %}

{#- A column whose name is not a plain identifier ("Campaign ID"), quoted the engine's way. -#}
{% macro col(name) -%}{{ adapter.quote(name) }}{%- endmacro %}

{#- A JSON array of strings as an array. -#}
{% macro json_text_array(column, path) -%}{{ return(adapter.dispatch('json_text_array')(column, path)) }}{%- endmacro %}
{% macro default__json_text_array(column, path) -%}from_json({{ column }} -> '$.{{ path }}', '["VARCHAR"]'){%- endmacro %}
{% macro spark__json_text_array(column, path) -%}from_json(get_json_object({{ column }}, '$.{{ path }}'), 'array<string>'){%- endmacro %}

{#- A day n days later (n may be negative). -#}
{% macro add_days(day, n) -%}{{ return(adapter.dispatch('add_days')(day, n)) }}{%- endmacro %}
{% macro default__add_days(day, n) -%}(cast({{ day }} as date) + cast({{ n }} as integer)){%- endmacro %}
{% macro spark__add_days(day, n) -%}date_add(cast({{ day }} as date), {{ n }}){%- endmacro %}

{#- How an incremental model replaces the days it rebuilds: DuckDB deletes them then inserts; Spark overwrites the
    model's day partitions (it has no delete+insert on Parquet). `{{ config(**incremental_by_day('activity_date')) }}` -#}
{% macro incremental_by_day(day_column) -%}
    {%- if target.type in ('spark', 'databricks') -%}
        {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [day_column], 'file_format': 'parquet'}) }}
    {%- else -%}
        {{ return({'incremental_strategy': 'delete+insert', 'unique_key': day_column}) }}
    {%- endif -%}
{%- endmacro %}

{#- The value of the row first by an order, among rows where the value is set (DuckDB's min_by skips NULL values;
    Spark's would return the NULL of the first row). -#}
{% macro first_by(value, order) -%}min_by({{ value }}, case when {{ value }} is not null then {{ order }} end){%- endmacro %}

{#- Any set value of a group (DuckDB's any_value skips NULLs; Spark's only when told to). -#}
{% macro any_of(value) -%}{{ return(adapter.dispatch('any_of')(value)) }}{%- endmacro %}
{% macro default__any_of(value) -%}any_value({{ value }}){%- endmacro %}
{% macro spark__any_of(value) -%}any_value({{ value }}, true){%- endmacro %}
