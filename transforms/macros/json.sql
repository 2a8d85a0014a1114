
{% macro ats_events(types) -%}
    {#- The ATS events of the given types, with the envelope already typed. -#}
    select
        event_id,
        event_type,
        occurred_at,
        business_unit,
        candidate_id,
        campaign_id,
        event_json,
        _source_file,
        _ingested_at
    from {{ source('ats', 'ats_events') }}
    where event_type in ({% for t in types %}'{{ t }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{% macro stripe_latest(object_type) -%}
    {#- Latest known version of each Stripe object of a type, from webhook events and API exports.
        An object is seen at the event's creation time or at the export's observation time. A deleted object's stub
        ({"id": ..., "deleted": true}, what the API answers a DELETE) carries nothing: its last real version stands. -#}
    with observations as (
        select object_id, {{ json_value('event_json', 'data.object') }} as object_json, created_at as observed_at, 1 as source_rank
        from {{ source('stripe', 'stripe_events') }}
        where object_type = '{{ object_type }}'
        union all
        select object_id, object_json, observed_at, 0 as source_rank
        from {{ source('stripe', 'stripe_objects') }}
        where object_type = '{{ object_type }}' and coalesce({{ json_text('object_json', 'deleted') }}, 'false') <> 'true'
    )
    select object_id, object_json, observed_at
    from (
        select *, row_number() over (partition by object_id order by observed_at desc, source_rank desc) as version_rank
        from observations
    ) ranked
    where version_rank = 1
{%- endmacro %}

