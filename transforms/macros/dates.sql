{# huntRED reports in Mexico City time (no DST since 2022). #}
{% macro local_date(ts) -%}
    (timezone('America/Mexico_City', {{ ts }}))::date
{%- endmacro %}

{% macro to_mxn(amount, rate) -%}
    round(({{ amount }}) * ({{ rate }}), 2)
{%- endmacro %}
