-- CV files with their extracted text (pypdf / python-docx / plain text at ingestion).
select
    candidate_id,
    file_name,
    file_format,
    file_sha256,
    file_bytes,
    cv_text,
    length(cv_text) as cv_text_chars,
    _source_file as delivered_in_file
from {{ source('scraped', 'scraped_cvs') }}
