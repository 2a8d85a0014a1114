-- fct_campaign_channel_daily rolled up to week x BU x campaign x phase x channel (ratios recomputed).
{{ campaign_rollup('metric_week') }}
