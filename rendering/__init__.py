"""One rendering package: the Jinja environment and templates (HTML, PDF), voucher
print, spreadsheets (XLSX/CSV writers)."""
