-- The e-mail of each Stripe customer (a person's, often), one row per customer; in its own schema like every
-- person-identifying field, read only through access.pii (see candidate_contacts).
select customer_id, email
from {{ ref('stg_stripe__customers') }}
