"""Convert To File: turn items into a file (CSV, XLSX, JSON, HTML, text, base64)."""
