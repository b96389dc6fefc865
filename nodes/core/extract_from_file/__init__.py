"""Extract From File: turn a file (CSV, XLSX, PDF, JSON, HTML, ICS, text) into items."""
