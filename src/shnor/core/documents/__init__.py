"""Documents as content (sections, tables, charts, sources) and their renderers to DOCX, XLSX
and PDF: shared by the analytic reports and the support documents."""
