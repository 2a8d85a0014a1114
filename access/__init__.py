"""Who may do and see what: roles, capabilities, pages, scope, users and API keys, PII rules, audit, erasure."""
