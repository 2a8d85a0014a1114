{# Rows where the expression is false fail the test (dbt_utils' test of the same name, without the package download). #}
{% test expression_is_true(model, expression, column_name=none) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
