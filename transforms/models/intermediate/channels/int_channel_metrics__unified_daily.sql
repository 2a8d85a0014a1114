-- All channels in one shape: ad channels fill impressions/reach/clicks/applications,
-- messaging channels fill sends/deliveries/reads/replies; what a platform does not
-- report is null. Spend stays in the platform's billing currency; the marts convert it.
{%- set channels = ['linkedin', 'indeed', 'occ', 'glassdoor', 'monster', 'whatsapp', 'telegram', 'email', 'web'] %}
{%- set metrics = {
    'impressions': 'bigint', 'reach': 'bigint', 'clicks': 'bigint', 'applications': 'bigint',
    'apply_starts': 'bigint', 'sends': 'bigint', 'deliveries': 'bigint', 'reads': 'bigint',
    'replies': 'bigint', 'bounces': 'bigint', 'spend': 'double'} %}

{% for channel in channels %}
{%- set staged = ref('stg_channels__' ~ channel ~ '_daily') %}
{%- set present = adapter.get_columns_in_relation(staged) | map(attribute='name') | list if execute else [] %}
select
    channel_metric_id,
    channel,
    metric_date,
    campaign_id,
    {%- for column, type in metrics.items() %}
    {{ column if column in present else 'null::' ~ type ~ ' as ' ~ column }},
    {%- endfor %}
    currency
from {{ staged }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
