"""Storage and file formats: database engines, the SQLite write gate, the vault,
attachments, voucher and register files, upload checks and previews."""
