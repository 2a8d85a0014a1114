-- Who a scraped candidate is: name and e-mail, one row per candidate. Kept out of the marts (which hold no person's
-- name, e-mail or phone: tests/api/test_access.py) in their own schema, read only through access.pii, which
-- pseudonymizes them unless the caller may see people (access.policy.PII_ROLES).
select
    candidate_id,
    nullif(concat_ws(' ', first_name, last_name), '') as candidate_name,
    email
from {{ ref('stg_scraped__candidates') }}
