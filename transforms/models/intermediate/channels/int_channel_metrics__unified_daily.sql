-- All channels in one shape: ad channels fill impressions/reach/clicks/applications,
-- messaging channels fill sends/deliveries/reads/replies; what a platform does not report is null.
-- Spend stays in the platform's billing currency here; the marts convert it.
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        impressions,
        reach,
        clicks,
        applications,
        null::bigint as apply_starts,
        null::bigint as sends,
        null::bigint as deliveries,
        null::bigint as reads,
        null::bigint as replies,
        null::bigint as bounces,
        spend,
        currency
    from {{ ref('stg_channels__linkedin_daily') }}
union all
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        impressions,
        null::bigint as reach,
        clicks,
        applications,
        apply_starts,
        null::bigint as sends,
        null::bigint as deliveries,
        null::bigint as reads,
        null::bigint as replies,
        null::bigint as bounces,
        spend,
        currency
    from {{ ref('stg_channels__indeed_daily') }}
union all
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        impressions,
        reach,
        clicks,
        applications,
        null::bigint as apply_starts,
        null::bigint as sends,
        null::bigint as deliveries,
        null::bigint as reads,
        null::bigint as replies,
        null::bigint as bounces,
        spend,
        currency
    from {{ ref('stg_channels__occ_daily') }}
union all
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        impressions,
        reach,
        clicks,
        applications,
        null::bigint as apply_starts,
        null::bigint as sends,
        null::bigint as deliveries,
        null::bigint as reads,
        null::bigint as replies,
        null::bigint as bounces,
        spend,
        currency
    from {{ ref('stg_channels__glassdoor_daily') }}
union all
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        impressions,
        null::bigint as reach,
        clicks,
        applications,
        null::bigint as apply_starts,
        null::bigint as sends,
        null::bigint as deliveries,
        null::bigint as reads,
        null::bigint as replies,
        null::bigint as bounces,
        spend,
        currency
    from {{ ref('stg_channels__monster_daily') }}
union all
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        null::bigint as impressions,
        null::bigint as reach,
        null::bigint as clicks,
        null::bigint as applications,
        null::bigint as apply_starts,
        sends,
        deliveries,
        reads,
        replies,
        null::bigint as bounces,
        spend,
        currency
    from {{ ref('stg_channels__whatsapp_daily') }}
union all
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        null::bigint as impressions,
        null::bigint as reach,
        null::bigint as clicks,
        null::bigint as applications,
        null::bigint as apply_starts,
        sends,
        deliveries,
        reads,
        replies,
        null::bigint as bounces,
        null::double as spend,
        currency
    from {{ ref('stg_channels__telegram_daily') }}
union all
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        null::bigint as impressions,
        null::bigint as reach,
        clicks,
        null::bigint as applications,
        null::bigint as apply_starts,
        sends,
        deliveries,
        reads,
        null::bigint as replies,
        bounces,
        spend,
        currency
    from {{ ref('stg_channels__email_daily') }}
union all
    select
        channel_metric_id,
        channel,
        metric_date,
        campaign_id,
        impressions,
        reach,
        clicks,
        applications,
        null::bigint as apply_starts,
        null::bigint as sends,
        null::bigint as deliveries,
        null::bigint as reads,
        null::bigint as replies,
        null::bigint as bounces,
        null::double as spend,
        currency
    from {{ ref('stg_channels__web_daily') }}
